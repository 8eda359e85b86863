using System.Globalization;
using System.Text;

namespace ApprovalEngine.Expressions;

internal enum TokenKind
{
    End,
    Number,
    String,
    Identifier,
    True,
    False,
    Null,
    And,
    Or,
    Not,
    In,
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Question,
    Colon,
    QuestionQuestion,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    AmpAmp,
    PipePipe,
    EqEq,
    BangEq,
    Lt,
    Le,
    Gt,
    Ge,
}

/// <summary>A token; <see cref="Value"/> holds the decimal, the unescaped string or the identifier name.</summary>
internal readonly record struct Token(TokenKind Kind, int Position, int Length, object? Value);

internal static class Lexer
{
    public static List<Token> Tokenize(string s)
    {
        var tokens = new List<Token>(Math.Min(s.Length, 64));
        var i = 0;
        while (true)
        {
            while (i < s.Length && char.IsWhiteSpace(s[i]))
            {
                i++;
            }

            if (i >= s.Length)
            {
                tokens.Add(new Token(TokenKind.End, s.Length, 0, null));
                return tokens;
            }

            var c = s[i];
            var start = i;
            if (char.IsAsciiDigit(c))
            {
                tokens.Add(ReadNumber(s, ref i));
                continue;
            }

            if (c is '\'' or '"')
            {
                tokens.Add(ReadString(s, ref i));
                continue;
            }

            if (IsIdentifierStart(c))
            {
                while (i < s.Length && IsIdentifierPart(s[i]))
                {
                    i++;
                }

                var name = s[start..i];
                var kind = name switch
                {
                    "true" => TokenKind.True,
                    "false" => TokenKind.False,
                    "null" => TokenKind.Null,
                    "and" => TokenKind.And,
                    "or" => TokenKind.Or,
                    "not" => TokenKind.Not,
                    "in" => TokenKind.In,
                    _ => TokenKind.Identifier,
                };
                tokens.Add(new Token(kind, start, i - start, name));
                continue;
            }

            var next = i + 1 < s.Length ? s[i + 1] : '\0';
            (TokenKind Kind, int Length) op = c switch
            {
                '(' => (TokenKind.LParen, 1),
                ')' => (TokenKind.RParen, 1),
                '[' => (TokenKind.LBracket, 1),
                ']' => (TokenKind.RBracket, 1),
                ',' => (TokenKind.Comma, 1),
                '.' => (TokenKind.Dot, 1),
                ':' => (TokenKind.Colon, 1),
                '+' => (TokenKind.Plus, 1),
                '-' => (TokenKind.Minus, 1),
                '*' => (TokenKind.Star, 1),
                '/' => (TokenKind.Slash, 1),
                '%' => (TokenKind.Percent, 1),
                '?' => next == '?' ? (TokenKind.QuestionQuestion, 2) : (TokenKind.Question, 1),
                '!' => next == '=' ? (TokenKind.BangEq, 2) : (TokenKind.Bang, 1),
                '<' => next == '=' ? (TokenKind.Le, 2) : (TokenKind.Lt, 1),
                '>' => next == '=' ? (TokenKind.Ge, 2) : (TokenKind.Gt, 1),
                '=' when next == '=' => (TokenKind.EqEq, 2),
                '=' => throw Errors.Syntax(s, "Use '==' to compare values ('=' alone is not an operator)", i),
                '&' when next == '&' => (TokenKind.AmpAmp, 2),
                '&' => throw Errors.Syntax(s, "Use '&&' (or 'and') for a logical AND", i),
                '|' when next == '|' => (TokenKind.PipePipe, 2),
                '|' => throw Errors.Syntax(s, "Use '||' (or 'or') for a logical OR", i),
                _ => throw Errors.Syntax(s, $"Unexpected character {DescribeChar(c)}", i),
            };
            tokens.Add(new Token(op.Kind, i, op.Length, null));
            i += op.Length;
        }
    }

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c == '_';

    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static string DescribeChar(char c) =>
        char.IsControl(c) || char.IsWhiteSpace(c) || char.IsSurrogate(c) || c > '\u007e'
            ? $"U+{(int)c:X4}"
            : $"'{c}'";

    private static Token ReadNumber(string s, ref int i)
    {
        var start = i;
        while (i < s.Length && char.IsAsciiDigit(s[i]))
        {
            i++;
        }

        if (i < s.Length && s[i] == '.')
        {
            if (i + 1 >= s.Length || !char.IsAsciiDigit(s[i + 1]))
            {
                throw Errors.Syntax(s, $"Invalid number '{Snippet(s, start, i + 1 - start)}': a digit must follow the decimal point", start, i + 1 - start);
            }

            i++;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }
        }

        if (i < s.Length && s[i] is 'e' or 'E')
        {
            throw Errors.Syntax(s, "Exponent notation such as 1e3 is not supported; write the number out in full", start, i + 1 - start);
        }

        if (i < s.Length && IsIdentifierPart(s[i]))
        {
            throw Errors.Syntax(s, $"Invalid number '{Snippet(s, start, i + 1 - start)}'", start, i + 1 - start);
        }

        var text = s.AsSpan(start, i - start);
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            throw Errors.Syntax(s, $"Number '{Snippet(s, start, i - start)}' is too large (the limit is about 7.9e28)", start, i - start);
        }

        return new Token(TokenKind.Number, start, i - start, value);
    }

    private static Token ReadString(string s, ref int i)
    {
        var start = i;
        var quote = s[i++];
        StringBuilder? sb = null;
        var runStart = i;
        while (true)
        {
            if (i >= s.Length)
            {
                throw Errors.Syntax(s, $"Text starting with {quote} is not closed (missing {quote})", start, s.Length - start);
            }

            var c = s[i];
            if (c == quote)
            {
                string value;
                if (sb is null)
                {
                    value = s[runStart..i];
                }
                else
                {
                    sb.Append(s, runStart, i - runStart);
                    value = sb.ToString();
                }

                i++;
                return new Token(TokenKind.String, start, i - start, value);
            }

            if (c != '\\')
            {
                i++;
                continue;
            }

            sb ??= new StringBuilder();
            sb.Append(s, runStart, i - runStart);
            if (i + 1 >= s.Length)
            {
                throw Errors.Syntax(s, $"Text starting with {quote} is not closed (missing {quote})", start, s.Length - start);
            }

            var escape = s[i + 1];
            switch (escape)
            {
                case '\'': sb.Append('\''); break;
                case '"': sb.Append('"'); break;
                case '\\': sb.Append('\\'); break;
                case 'n': sb.Append('\n'); break;
                case 't': sb.Append('\t'); break;
                case 'r': sb.Append('\r'); break;
                case 'u':
                    if (i + 6 > s.Length || !ushort.TryParse(s.AsSpan(i + 2, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        throw Errors.Syntax(s, "Invalid escape: \\u must be followed by 4 hex digits", i, 2);
                    }

                    sb.Append((char)code);
                    i += 4;
                    break;
                default:
                    throw Errors.Syntax(s, $"Unknown escape '\\{escape}' (use \\' \\\" \\\\ \\n \\t \\r or \\uXXXX)", i, 2);
            }

            i += 2;
            runStart = i;
        }
    }

    internal static string Snippet(string s, int start, int length)
    {
        length = Math.Min(length, s.Length - start);
        return length <= 30 ? s.Substring(start, length) : string.Concat(s.AsSpan(start, 30), "...");
    }
}
