namespace ApprovalEngine.Expressions;

/// <summary>
/// Recursive-descent parser, one method per precedence level (lowest first):
/// <c>? :</c>, <c>??</c>, <c>|| or</c>, <c>&amp;&amp; and</c>, <c>== !=</c>, <c>&lt; &lt;= &gt; &gt;=</c>, <c>in</c>,
/// <c>+ -</c>, <c>* / %</c>, unary <c>! not -</c>, postfix <c>. [] ()</c>.
/// Recursion is bounded by <see cref="ExpressionLimits.MaxNestingDepth"/>; left-associative chains are built iteratively.
/// </summary>
internal sealed class Parser
{
    private readonly string _source;
    private readonly List<Token> _tokens;
    private int _index;
    private int _depth;

    private Parser(string source)
    {
        _source = source;
        _tokens = Lexer.Tokenize(source);
    }

    public HashSet<string> Variables { get; } = new(StringComparer.Ordinal);

    public static (Node Root, HashSet<string> Variables) Parse(string source)
    {
        if (source.Length > ExpressionLimits.MaxSourceLength)
        {
            throw Errors.Syntax(source, $"Expression is too long ({source.Length} characters; the limit is {ExpressionLimits.MaxSourceLength})", ExpressionLimits.MaxSourceLength, source.Length - ExpressionLimits.MaxSourceLength);
        }

        var parser = new Parser(source);
        if (parser.Current.Kind == TokenKind.End)
        {
            throw Errors.Syntax(source, "Expression is empty", 0, 0);
        }

        var root = parser.ParseConditional();
        if (parser.Current.Kind != TokenKind.End)
        {
            throw parser.Unexpected(parser.Current);
        }

        return (root, parser.Variables);
    }

    private Token Current => _tokens[_index];

    /// <summary>A place the message mentions besides its own, in the 1-based convention of <see cref="SourceSpan"/>.</summary>
    private string Where(int position) => SourceSpan.Describe(_source, position);

    private Token Peek(int offset = 1) => _tokens[Math.Min(_index + offset, _tokens.Count - 1)];

    private Token Advance() => _tokens[_index++];

    private void Enter(int position)
    {
        if (++_depth > ExpressionLimits.MaxNestingDepth)
        {
            throw Errors.Syntax(_source, $"Expression is nested too deeply (more than {ExpressionLimits.MaxNestingDepth} levels)", position);
        }
    }

    private void Leave() => _depth--;

    private T Limit<T>(T node)
        where T : Node
    {
        if (node.Height > ExpressionLimits.MaxTreeHeight)
        {
            throw Errors.Syntax(_source, $"Expression is too complex (more than {ExpressionLimits.MaxTreeHeight} chained operations)", node.Position);
        }

        return node;
    }

    private ExpressionSyntaxException Unexpected(Token token, string? expected = null)
    {
        var what = token.Kind == TokenKind.End
            ? "Unexpected end of expression"
            : $"Unexpected '{Lexer.Snippet(_source, token.Position, token.Length)}'";
        return Errors.Syntax(_source, expected is null ? what : $"{what}; expected {expected}", token.Position, token.Length);
    }

    private void Expect(TokenKind kind, string closing, Token opener)
    {
        if (Current.Kind == kind)
        {
            _index++;
            return;
        }

        if (Current.Kind == TokenKind.End)
        {
            throw Errors.Syntax(_source, $"Missing '{closing}' to close the '{Lexer.Snippet(_source, opener.Position, opener.Length)}' at {Where(opener.Position)}; the expression ends", Current.Position, 0);
        }

        throw Unexpected(Current, $"'{closing}' to close the '{Lexer.Snippet(_source, opener.Position, opener.Length)}' at {Where(opener.Position)}");
    }

    // cond ? a : b   (right-associative)
    private Node ParseConditional()
    {
        var condition = ParseCoalesce();
        if (Current.Kind != TokenKind.Question)
        {
            return condition;
        }

        var question = Advance();
        Enter(question.Position);
        var whenTrue = ParseConditional();
        if (Current.Kind != TokenKind.Colon)
        {
            throw Current.Kind == TokenKind.End
                ? Errors.Syntax(_source, $"Missing ':' for the '?' at {Where(question.Position)}; the expression ends", Current.Position, 0)
                : Unexpected(Current, $"':' for the '?' at {Where(question.Position)}");
        }

        _index++;
        var whenFalse = ParseConditional();
        Leave();
        return Limit(new ConditionalNode(question.Position, condition, whenTrue, whenFalse));
    }

    private Node ParseCoalesce()
    {
        var first = ParseOr();
        if (Current.Kind != TokenKind.QuestionQuestion)
        {
            return first;
        }

        var position = Current.Position;
        var operands = new List<Node> { first };
        while (Current.Kind == TokenKind.QuestionQuestion)
        {
            _index++;
            operands.Add(ParseOr());
        }

        return Limit(new CoalesceNode(position, [.. operands]));
    }

    private Node ParseOr()
    {
        var first = ParseAnd();
        if (Current.Kind is not (TokenKind.PipePipe or TokenKind.Or))
        {
            return first;
        }

        var position = Current.Position;
        var operands = new List<Node> { first };
        while (Current.Kind is TokenKind.PipePipe or TokenKind.Or)
        {
            _index++;
            operands.Add(ParseAnd());
        }

        return Limit(new OrNode(position, [.. operands]));
    }

    private Node ParseAnd()
    {
        var first = ParseEquality();
        if (Current.Kind is not (TokenKind.AmpAmp or TokenKind.And))
        {
            return first;
        }

        var position = Current.Position;
        var operands = new List<Node> { first };
        while (Current.Kind is TokenKind.AmpAmp or TokenKind.And)
        {
            _index++;
            operands.Add(ParseEquality());
        }

        return Limit(new AndNode(position, [.. operands]));
    }

    private Node ParseEquality()
    {
        var left = ParseRelational();
        while (Current.Kind is TokenKind.EqEq or TokenKind.BangEq)
        {
            var op = Advance();
            var right = ParseRelational();
            left = Limit(new EqualityNode(op.Position, left, right, negate: op.Kind == TokenKind.BangEq));
        }

        return left;
    }

    private Node ParseRelational()
    {
        var left = ParseIn();
        while (Current.Kind is TokenKind.Lt or TokenKind.Le or TokenKind.Gt or TokenKind.Ge)
        {
            var op = Advance();
            var right = ParseIn();
            var kind = op.Kind switch
            {
                TokenKind.Lt => CompareOp.Less,
                TokenKind.Le => CompareOp.LessOrEqual,
                TokenKind.Gt => CompareOp.Greater,
                _ => CompareOp.GreaterOrEqual,
            };
            left = Limit(new CompareNode(op.Position, kind, left, right));
        }

        return left;
    }

    // a in b, a not in b
    private Node ParseIn()
    {
        var left = ParseAdditive();
        while (true)
        {
            if (Current.Kind == TokenKind.In)
            {
                var op = Advance();
                left = Limit(new InNode(op.Position, left, ParseAdditive(), negate: false));
            }
            else if (Current.Kind == TokenKind.Not && Peek().Kind == TokenKind.In)
            {
                var op = Advance();
                _index++;
                left = Limit(new InNode(op.Position, left, ParseAdditive(), negate: true));
            }
            else
            {
                return left;
            }
        }
    }

    private Node ParseAdditive()
    {
        var left = ParseMultiplicative();
        while (Current.Kind is TokenKind.Plus or TokenKind.Minus)
        {
            var op = Advance();
            var right = ParseMultiplicative();
            left = Limit(new ArithmeticNode(op.Position, op.Kind == TokenKind.Plus ? ArithmeticOp.Add : ArithmeticOp.Subtract, left, right));
        }

        return left;
    }

    private Node ParseMultiplicative()
    {
        var left = ParseUnary();
        while (Current.Kind is TokenKind.Star or TokenKind.Slash or TokenKind.Percent)
        {
            var op = Advance();
            var right = ParseUnary();
            var kind = op.Kind switch
            {
                TokenKind.Star => ArithmeticOp.Multiply,
                TokenKind.Slash => ArithmeticOp.Divide,
                _ => ArithmeticOp.Modulo,
            };
            left = Limit(new ArithmeticNode(op.Position, kind, left, right));
        }

        return left;
    }

    private Node ParseUnary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Bang:
            case TokenKind.Not:
            {
                _index++;
                Enter(token.Position);
                var operand = ParseUnary();
                Leave();
                return Limit(new NotNode(token.Position, operand));
            }

            case TokenKind.Minus:
            {
                _index++;
                Enter(token.Position);
                var operand = ParseUnary();
                Leave();
                if (operand is LiteralNode { Value: decimal d })
                {
                    return new LiteralNode(token.Position, -d);
                }

                return Limit(new NegateNode(token.Position, operand));
            }

            default:
                return ParsePostfix();
        }
    }

    private Node ParsePostfix()
    {
        var node = ParsePrimary();
        while (true)
        {
            switch (Current.Kind)
            {
                case TokenKind.Dot:
                {
                    var dot = Advance();
                    var name = Current;
                    if (name.Kind is not (TokenKind.Identifier or TokenKind.True or TokenKind.False or TokenKind.Null
                        or TokenKind.And or TokenKind.Or or TokenKind.Not or TokenKind.In))
                    {
                        throw Unexpected(name, "a field name after '.'");
                    }

                    _index++;
                    node = Limit(new MemberNode(dot.Position, node, (string)name.Value!));
                    break;
                }

                case TokenKind.LBracket:
                {
                    var open = Advance();
                    Enter(open.Position);
                    var index = ParseConditional();
                    Expect(TokenKind.RBracket, "]", open);
                    Leave();
                    node = Limit(new IndexNode(open.Position, node, index));
                    break;
                }

                case TokenKind.LParen:
                {
                    var name = DottedName(node);
                    throw name is null
                        ? Errors.Syntax(_source, "Only built-in functions can be called", Current.Position)
                        : Errors.Syntax(_source, $"Unknown function '{name}' (only built-in functions can be called)", StartOf(node), name.Length);
                }

                default:
                    return node;
            }
        }
    }

    private static string? DottedName(Node node) => node switch
    {
        VariableNode v => v.Name,
        MemberNode m when DottedName(m.Target) is { } prefix => prefix + "." + m.Name,
        _ => null,
    };

    private static int StartOf(Node node) => node is MemberNode m ? StartOf(m.Target) : node.Position;

    private Node ParsePrimary()
    {
        var token = Current;
        switch (token.Kind)
        {
            case TokenKind.Number:
            case TokenKind.String:
                _index++;
                return new LiteralNode(token.Position, token.Value);
            case TokenKind.True:
                _index++;
                return new LiteralNode(token.Position, ExpressionValues.True);
            case TokenKind.False:
                _index++;
                return new LiteralNode(token.Position, ExpressionValues.False);
            case TokenKind.Null:
                _index++;
                return new LiteralNode(token.Position, null);
            case TokenKind.Identifier:
                _index++;
                if (Current.Kind == TokenKind.LParen)
                {
                    return ParseCall(token);
                }

                Variables.Add((string)token.Value!);
                return new VariableNode(token.Position, (string)token.Value!);
            case TokenKind.LParen:
            {
                _index++;
                Enter(token.Position);
                if (Current.Kind == TokenKind.RParen)
                {
                    throw Unexpected(Current, "an expression inside '( )'");
                }

                var inner = ParseConditional();
                Expect(TokenKind.RParen, ")", token);
                Leave();
                return inner;
            }

            case TokenKind.LBracket:
                return ParseList(token);
            default:
                throw Unexpected(token);
        }
    }

    private Node ParseList(Token open)
    {
        _index++;
        Enter(open.Position);
        var items = new List<Node>();
        if (Current.Kind != TokenKind.RBracket)
        {
            while (true)
            {
                if (items.Count == ExpressionLimits.MaxListLiteralElements)
                {
                    throw Errors.Syntax(_source, $"List has more than {ExpressionLimits.MaxListLiteralElements} elements", open.Position);
                }

                items.Add(ParseConditional());
                if (Current.Kind != TokenKind.Comma)
                {
                    break;
                }

                _index++;
            }
        }

        Expect(TokenKind.RBracket, "]", open);
        Leave();
        return Limit(ListNode.Create(open.Position, [.. items]));
    }

    private CallNode ParseCall(Token name)
    {
        var functionName = (string)name.Value!;
        if (!Builtins.ByName.TryGetValue(functionName, out var function))
        {
            var suggestion = Suggestions.Closest(functionName, Builtins.ByName.Keys);
            throw Errors.Syntax(
                _source,
                suggestion is null ? $"Unknown function '{functionName}'" : $"Unknown function '{functionName}' (did you mean '{suggestion}'?)",
                name.Position,
                name.Length);
        }

        var open = Advance();
        Enter(open.Position);
        var args = new List<Node>();
        if (Current.Kind != TokenKind.RParen)
        {
            while (true)
            {
                args.Add(ParseConditional());
                if (Current.Kind != TokenKind.Comma)
                {
                    break;
                }

                _index++;
            }
        }

        Expect(TokenKind.RParen, ")", open);
        Leave();

        if (args.Count < function.MinArguments || args.Count > function.MaxArguments)
        {
            throw Errors.Syntax(_source, $"Function '{functionName}' takes {function.ArityText} but was given {args.Count}", name.Position, name.Length);
        }

        return Limit(new CallNode(name.Position, function, [.. args]));
    }
}

internal static class Suggestions
{
    /// <summary>The candidate closest to <paramref name="name"/> (same letters ignoring case, or at most 2 edits away), or null.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in candidates)
        {
            var distance = string.Equals(candidate, name, StringComparison.OrdinalIgnoreCase) ? 0 : Distance(name, candidate);
            if (distance < bestDistance || (distance == bestDistance && string.CompareOrdinal(candidate, best) < 0))
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return bestDistance <= Math.Min(2, Math.Max(1, name.Length / 3)) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 2 || a.Length > 64 || b.Length > 64)
        {
            return int.MaxValue;
        }

        Span<int> previous = stackalloc int[b.Length + 1];
        Span<int> current = stackalloc int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = char.ToLowerInvariant(a[i - 1]) == char.ToLowerInvariant(b[j - 1]) ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            current.CopyTo(previous);
        }

        return previous[b.Length];
    }
}
