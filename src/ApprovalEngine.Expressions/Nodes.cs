using System.Collections.ObjectModel;

namespace ApprovalEngine.Expressions;

/// <summary>Syntax tree node. Immutable, so one tree is safely evaluated by many threads at once.</summary>
internal abstract class Node(int position, int height)
{
    public int Position { get; } = position;

    public int Height { get; } = height;

    public abstract object? Eval(ref EvalContext ctx);

    public abstract ExpressionType Check(CheckContext ctx);

    protected static int HeightOf(Node a) => a.Height + 1;

    protected static int HeightOf(Node a, Node b) => Math.Max(a.Height, b.Height) + 1;

    protected static int HeightOf(Node[] nodes)
    {
        var height = 0;
        foreach (var node in nodes)
        {
            height = Math.Max(height, node.Height);
        }

        return height + 1;
    }
}

internal sealed class CheckContext(IReadOnlyDictionary<string, ExpressionType> variables, string source)
{
    private List<Token>? _tokens;

    public IReadOnlyDictionary<string, ExpressionType> Variables { get; } = variables;

    public List<ExpressionDiagnostic> Errors { get; } = [];

    /// <summary>Reports a problem at a node; the span covers the token the node was built from (its name, operator or bracket).</summary>
    public void Error(int position, string message) => Errors.Add(new ExpressionDiagnostic(SourceSpan.At(source, position, TokenLength(position)), message));

    private int TokenLength(int position)
    {
        // The text parsed already, so it tokenizes; only done when there is something to report.
        _tokens ??= Lexer.Tokenize(source);
        var i = _tokens.BinarySearch(new Token(TokenKind.End, position, 0, null), TokenByPosition.Instance);
        return i >= 0 ? _tokens[i].Length : 1;
    }

    private sealed class TokenByPosition : IComparer<Token>
    {
        public static readonly TokenByPosition Instance = new();

        public int Compare(Token x, Token y) => x.Position.CompareTo(y.Position);
    }

    public static bool IsLoose(ExpressionType t) => t is ExpressionType.Any or ExpressionType.Null;

    public static ExpressionType Merge(ExpressionType a, ExpressionType b) =>
        a == b ? a : a == ExpressionType.Null ? b : b == ExpressionType.Null ? a : ExpressionType.Any;

    /// <summary>Reports an operand that is used as a condition but cannot be a boolean.</summary>
    public void ExpectBoolean(ExpressionType type, int position, string what)
    {
        if (!IsLoose(type) && type != ExpressionType.Boolean)
        {
            Error(position, $"{what} expected a boolean but got {ExpressionValues.Describe(type)}");
        }
    }
}

internal sealed class LiteralNode(int position, object? value) : Node(position, 1)
{
    public object? Value { get; } = value;

    public override object? Eval(ref EvalContext ctx)
    {
        ctx.Step(Position);
        return Value;
    }

    public override ExpressionType Check(CheckContext ctx) => ExpressionValues.TypeOf(Value);
}

internal sealed class VariableNode(int position, string name) : Node(position, 1)
{
    public string Name { get; } = name;

    public override object? Eval(ref EvalContext ctx)
    {
        ctx.Step(Position);
        return ctx.Scope!.TryGetValue(Name, out var value) ? ExpressionValues.Normalize(value, Position) : null;
    }

    public override ExpressionType Check(CheckContext ctx)
    {
        if (ctx.Variables.TryGetValue(Name, out var type))
        {
            return type;
        }

        var suggestion = Suggestions.Closest(Name, ctx.Variables.Keys);
        ctx.Error(Position, suggestion is null ? $"Unknown variable '{Name}'" : $"Unknown variable '{Name}' (did you mean '{suggestion}'?)");
        return ExpressionType.Any;
    }
}

/// <summary><c>target.name</c>; null or a missing key gives null.</summary>
internal sealed class MemberNode(int position, Node target, string name) : Node(position, HeightOf(target))
{
    public Node Target { get; } = target;

    public string Name { get; } = name;

    public override object? Eval(ref EvalContext ctx)
    {
        ctx.Step(Position);
        var target = Target.Eval(ref ctx);
        return target switch
        {
            null => null,
            IReadOnlyDictionary<string, object?> dict => dict.TryGetValue(Name, out var value) ? ExpressionValues.Normalize(value, Position) : null,
            _ => throw Errors.Runtime($"Cannot read field '{Name}' of {ExpressionValues.Describe(target)}", Position),
        };
    }

    public override ExpressionType Check(CheckContext ctx)
    {
        var type = Target.Check(ctx);
        switch (type)
        {
            case ExpressionType.Any:
            case ExpressionType.Object:
                return ExpressionType.Any;
            case ExpressionType.Null:
                return ExpressionType.Null;
            default:
                ctx.Error(Position, $"Cannot read field '{Name}' of {ExpressionValues.Describe(type)}");
                return ExpressionType.Any;
        }
    }
}

/// <summary><c>list[number]</c> or <c>object['key']</c>; null, out-of-range or missing gives null.</summary>
internal sealed class IndexNode(int position, Node target, Node index) : Node(position, HeightOf(target, index))
{
    public Node Target { get; } = target;

    public Node Index { get; } = index;

    public override object? Eval(ref EvalContext ctx)
    {
        ctx.Step(Position);
        var target = Target.Eval(ref ctx);
        if (target is null)
        {
            return null;
        }

        var index = Index.Eval(ref ctx);
        if (index is null)
        {
            return null;
        }

        switch (target)
        {
            case IReadOnlyList<object?> list:
                if (index is not decimal d)
                {
                    throw Errors.Runtime($"A list index must be a number but got {ExpressionValues.Describe(index)}", Position);
                }

                if (d != decimal.Truncate(d))
                {
                    throw Errors.Runtime("A list index must be a whole number", Position);
                }

                return d >= 0 && d < list.Count ? ExpressionValues.Normalize(list[(int)d], Position) : null;
            case IReadOnlyDictionary<string, object?> dict:
                if (index is not string key)
                {
                    throw Errors.Runtime($"An object key must be text but got {ExpressionValues.Describe(index)}", Position);
                }

                return dict.TryGetValue(key, out var value) ? ExpressionValues.Normalize(value, Position) : null;
            default:
                throw Errors.Runtime($"Cannot index into {ExpressionValues.Describe(target)}", Position);
        }
    }

    public override ExpressionType Check(CheckContext ctx)
    {
        var target = Target.Check(ctx);
        var index = Index.Check(ctx);
        switch (target)
        {
            case ExpressionType.Null:
                return ExpressionType.Null;
            case ExpressionType.Any:
                return ExpressionType.Any;
            case ExpressionType.List:
                if (!CheckContext.IsLoose(index) && index != ExpressionType.Number)
                {
                    ctx.Error(Index.Position, $"A list index must be a number but got {ExpressionValues.Describe(index)}");
                }

                return ExpressionType.Any;
            case ExpressionType.Object:
                if (!CheckContext.IsLoose(index) && index != ExpressionType.String)
                {
                    ctx.Error(Index.Position, $"An object key must be text but got {ExpressionValues.Describe(index)}");
                }

                return ExpressionType.Any;
            default:
                ctx.Error(Position, $"Cannot index into {ExpressionValues.Describe(target)}");
                return ExpressionType.Any;
        }
    }
}

internal sealed class ListNode(int position, Node[] items) : Node(position, HeightOf(items))
{
    public Node[] Items { get; } = items;

    public static Node Create(int position, Node[] items)
    {
        foreach (var item in items)
        {
            if (item is not LiteralNode)
            {
                return new ListNode(position, items);
            }
        }

        // All constant: build the (read-only) list once.
        var values = new object?[items.Length];
        for (var i = 0; i < items.Length; i++)
        {
            values[i] = ((LiteralNode)items[i]).Value;
        }

        return new LiteralNode(position, new ReadOnlyCollection<object?>(values));
    }

    public override object? Eval(ref EvalContext ctx)
    {
        ctx.Step(Position);
        var values = new object?[Items.Length];
        for (var i = 0; i < Items.Length; i++)
        {
            values[i] = Items[i].Eval(ref ctx);
        }

        return new ReadOnlyCollection<object?>(values);
    }

    public override ExpressionType Check(CheckContext ctx)
    {
        foreach (var item in Items)
        {
            item.Check(ctx);
        }

        return ExpressionType.List;
    }
}

internal sealed class NotNode(int position, Node operand) : Node(position, HeightOf(operand))
{
    public Node Operand { get; } = operand;

    public override object? Eval(ref EvalContext ctx)
    {
        ctx.Step(Position);
        return ExpressionValues.Truthy(Operand.Eval(ref ctx), Position, "Operator '!'") ? ExpressionValues.False : ExpressionValues.True;
    }

    public override ExpressionType Check(CheckContext ctx)
    {
        ctx.ExpectBoolean(Operand.Check(ctx), Position, "Operator '!'");
        return ExpressionType.Boolean;
    }
}

internal sealed class NegateNode(int position, Node operand) : Node(position, HeightOf(operand))
{
    public Node Operand { get; } = operand;

    public override object? Eval(ref EvalContext ctx)
    {
        ctx.Step(Position);
        return Operand.Eval(ref ctx) switch
        {
            null => null,
            decimal d => -d,
            var other => throw Errors.Runtime($"Operator '-' expected a number but got {ExpressionValues.Describe(other)}", Position),
        };
    }

    public override ExpressionType Check(CheckContext ctx)
    {
        var type = Operand.Check(ctx);
        if (!CheckContext.IsLoose(type) && type != ExpressionType.Number)
        {
            ctx.Error(Position, $"Operator '-' expected a number but got {ExpressionValues.Describe(type)}");
        }

        return ExpressionType.Number;
    }
}

internal enum ArithmeticOp
{
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
}

internal sealed class ArithmeticNode(int position, ArithmeticOp op, Node left, Node right) : Node(position, HeightOf(left, right))
{
    public ArithmeticOp Op { get; } = op;

    public Node Left { get; } = left;

    public Node Right { get; } = right;

    private string Symbol => Op switch
    {
        ArithmeticOp.Add => "+",
        ArithmeticOp.Subtract => "-",
        ArithmeticOp.Multiply => "*",
        ArithmeticOp.Divide => "/",
        _ => "%",
    };

    public override object? Eval(ref EvalContext ctx)
    {
        ctx.Step(Position);
        var left = Left.Eval(ref ctx);
        var right = Right.Eval(ref ctx);
        if (left is decimal a && right is decimal b)
        {
            return Compute(a, b);
        }

        if (Op == ArithmeticOp.Add && (left is string || right is string))
        {
            var l = ExpressionValues.ToText(left, ref ctx, Position);
            var r = ExpressionValues.ToText(right, ref ctx, Position);
            if ((long)l.Length + r.Length > ExpressionLimits.MaxStringLength)
            {
                throw Errors.Runtime($"Text result is longer than {ExpressionLimits.MaxStringLength} characters", Position);
            }

            for (var cost = (l.Length + r.Length) / ExpressionLimits.CharactersPerStep; cost > 0; cost--) ctx.Step(Position);
            return string.Concat(l, r);
        }

        if (left is null || right is null)
        {
            return null;
        }

        throw Errors.Runtime($"Operator '{Symbol}' cannot be applied to {ExpressionValues.Describe(left)} and {ExpressionValues.Describe(right)}", Position);
    }

    private object Compute(decimal a, decimal b)
    {
        try
        {
            switch (Op)
            {
                case ArithmeticOp.Add:
                    return a + b;
                case ArithmeticOp.Subtract:
                    return a - b;
                case ArithmeticOp.Multiply:
                    return a * b;
                case ArithmeticOp.Divide:
                    if (b == 0)
                    {
                        throw Errors.Runtime("Division by zero", Position);
                    }

                    return a / b;
                default:
                    if (b == 0)
                    {
                        throw Errors.Runtime("Division by zero (modulo)", Position);
                    }

                    return a % b;
            }
        }
        catch (OverflowException)
        {
            throw Errors.Runtime($"Result of '{Symbol}' is a number too large to represent", Position);
        }
    }

    public override ExpressionType Check(CheckContext ctx)
    {
        var left = Left.Check(ctx);
        var right = Right.Check(ctx);
        if (Op == ArithmeticOp.Add && (left == ExpressionType.String || right == ExpressionType.String))
        {
            return ExpressionType.String;
        }

        var leftOk = CheckContext.IsLoose(left) || left == ExpressionType.Number;
        var rightOk = CheckContext.IsLoose(right) || right == ExpressionType.Number;
        if (!leftOk || !rightOk)
        {
            ctx.Error(Position, $"Operator '{Symbol}' cannot be applied to {ExpressionValues.Describe(left)} and {ExpressionValues.Describe(right)}");
            return ExpressionType.Any;
        }

        // Any + x may turn out to be text concatenation.
        return Op == ArithmeticOp.Add && (left == ExpressionType.Any || right == ExpressionType.Any) ? ExpressionType.Any : ExpressionType.Number;
    }
}

internal enum CompareOp
{
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
}

internal sealed class CompareNode(int position, CompareOp op, Node left, Node right) : Node(position, HeightOf(left, right))
{
    public CompareOp Op { get; } = op;

    public Node Left { get; } = left;

    public Node Right { get; } = right;

    public string Symbol => Op switch
    {
        CompareOp.Less => "<",
        CompareOp.LessOrEqual => "<=",
        CompareOp.Greater => ">",
        _ => ">=",
    };

    public override object? Eval(ref EvalContext ctx)
    {
        ctx.Step(Position);
        var left = Left.Eval(ref ctx);
        var right = Right.Eval(ref ctx);
        if (left is null || right is null)
        {
            return ExpressionValues.False;
        }

        var c = Ordering.Compare(left, right, Position, "using", Symbol);
        var result = Op switch
        {
            CompareOp.Less => c < 0,
            CompareOp.LessOrEqual => c <= 0,
            CompareOp.Greater => c > 0,
            _ => c >= 0,
        };
        return ExpressionValues.Box(result);
    }

    public override ExpressionType Check(CheckContext ctx)
    {
        var left = Left.Check(ctx);
        var right = Right.Check(ctx);
        if (!CheckContext.IsLoose(left) && !CheckContext.IsLoose(right)
            && (left != right || left is not (ExpressionType.Number or ExpressionType.String or ExpressionType.DateTime)))
        {
            ctx.Error(Position, $"Cannot compare {ExpressionValues.Describe(left)} with {ExpressionValues.Describe(right)} with '{Symbol}'");
        }
        else if (left is ExpressionType.Boolean or ExpressionType.List or ExpressionType.Object
                 || right is ExpressionType.Boolean or ExpressionType.List or ExpressionType.Object)
        {
            ctx.Error(Position, $"Cannot compare {ExpressionValues.Describe(left)} with {ExpressionValues.Describe(right)} with '{Symbol}'");
        }

        return ExpressionType.Boolean;
    }
}

internal static class Ordering
{
    /// <summary>Orders two non-null values of the same orderable type (number, text, date); anything else is a type error.</summary>
    /// <remarks><paramref name="preposition"/> and <paramref name="symbol"/> are only combined when throwing, so the hot path allocates nothing.</remarks>
    public static int Compare(object left, object right, int position, string preposition, string symbol)
    {
        switch (left)
        {
            case decimal a when right is decimal b:
                return a.CompareTo(b);
            case string a when right is string b:
                return string.CompareOrdinal(a, b);
            case DateTimeOffset a when right is DateTimeOffset b:
                return a.CompareTo(b);
            default:
                throw Errors.Runtime($"Cannot compare {ExpressionValues.Describe(left)} with {ExpressionValues.Describe(right)} {preposition} '{symbol}'", position);
        }
    }
}

internal sealed class EqualityNode(int position, Node left, Node right, bool negate) : Node(position, HeightOf(left, right))
{
    public Node Left { get; } = left;

    public Node Right { get; } = right;

    public bool Negate { get; } = negate;

    public override object? Eval(ref EvalContext ctx)
    {
        ctx.Step(Position);
        var left = Left.Eval(ref ctx);
        var right = Right.Eval(ref ctx);
        return ExpressionValues.Box(ExpressionValues.Equal(left, right, ref ctx, 0, Position) != Negate);
    }

    public override ExpressionType Check(CheckContext ctx)
    {
        var left = Left.Check(ctx);
        var right = Right.Check(ctx);
        if (!CheckContext.IsLoose(left) && !CheckContext.IsLoose(right) && left != right)
        {
            ctx.Error(Position, $"Comparing {ExpressionValues.Describe(left)} with {ExpressionValues.Describe(right)} using '{(Negate ? "!=" : "==")}' is always {(Negate ? "true" : "false")}");
        }

        return ExpressionType.Boolean;
    }
}

/// <summary><c>x in list</c> (element equality), <c>'sub' in text</c> (substring), <c>'key' in object</c> (key present).</summary>
internal sealed class InNode(int position, Node left, Node right, bool negate) : Node(position, HeightOf(left, right))
{
    public Node Left { get; } = left;

    public Node Right { get; } = right;

    public bool Negate { get; } = negate;

    private string Symbol => Negate ? "not in" : "in";

    public override object? Eval(ref EvalContext ctx)
    {
        ctx.Step(Position);
        var left = Left.Eval(ref ctx);
        var right = Right.Eval(ref ctx);
        return ExpressionValues.Box(Contains(left, right, ref ctx) != Negate);
    }

    private bool Contains(object? item, object? container, ref EvalContext ctx)
    {
        switch (container)
        {
            case null:
                return false;
            case IReadOnlyList<object?> list:
                for (var i = 0; i < list.Count; i++)
                {
                    ctx.Step(Position);
                    if (ExpressionValues.Equal(item, ExpressionValues.Normalize(list[i], Position), ref ctx, 0, Position))
                    {
                        return true;
                    }
                }

                return false;
            case string text:
                return item switch
                {
                    null => false,
                    string s => text.Contains(s, StringComparison.Ordinal),
                    _ => throw Errors.Runtime($"'{Symbol}' text needs text on the left but got {ExpressionValues.Describe(item)}", Position),
                };
            case IReadOnlyDictionary<string, object?> dict:
                return item switch
                {
                    null => false,
                    string key => dict.ContainsKey(key),
                    _ => throw Errors.Runtime($"'{Symbol}' an object needs a text key on the left but got {ExpressionValues.Describe(item)}", Position),
                };
            default:
                throw Errors.Runtime($"The right side of '{Symbol}' must be a list, text or object but got {ExpressionValues.Describe(container)}", Position);
        }
    }

    public override ExpressionType Check(CheckContext ctx)
    {
        var left = Left.Check(ctx);
        var right = Right.Check(ctx);
        switch (right)
        {
            case ExpressionType.Any:
            case ExpressionType.Null:
            case ExpressionType.List:
                break;
            case ExpressionType.String:
            case ExpressionType.Object:
                if (!CheckContext.IsLoose(left) && left != ExpressionType.String)
                {
                    ctx.Error(Position, $"'{Symbol}' {ExpressionValues.Describe(right)} needs text on the left but got {ExpressionValues.Describe(left)}");
                }

                break;
            default:
                ctx.Error(Position, $"The right side of '{Symbol}' must be a list, text or object but got {ExpressionValues.Describe(right)}");
                break;
        }

        return ExpressionType.Boolean;
    }
}

/// <summary><c>a &amp;&amp; b &amp;&amp; ...</c>, flattened, short-circuit; null counts as false.</summary>
internal sealed class AndNode(int position, Node[] operands) : Node(position, HeightOf(operands))
{
    public Node[] Operands { get; } = operands;

    public override object? Eval(ref EvalContext ctx)
    {
        ctx.Step(Position);
        foreach (var operand in Operands)
        {
            if (!ExpressionValues.Truthy(operand.Eval(ref ctx), operand.Position, "Operator '&&'"))
            {
                return ExpressionValues.False;
            }
        }

        return ExpressionValues.True;
    }

    public override ExpressionType Check(CheckContext ctx)
    {
        foreach (var operand in Operands)
        {
            ctx.ExpectBoolean(operand.Check(ctx), operand.Position, "Operator '&&'");
        }

        return ExpressionType.Boolean;
    }
}

/// <summary><c>a || b || ...</c>, flattened, short-circuit; null counts as false.</summary>
internal sealed class OrNode(int position, Node[] operands) : Node(position, HeightOf(operands))
{
    public Node[] Operands { get; } = operands;

    public override object? Eval(ref EvalContext ctx)
    {
        ctx.Step(Position);
        foreach (var operand in Operands)
        {
            if (ExpressionValues.Truthy(operand.Eval(ref ctx), operand.Position, "Operator '||'"))
            {
                return ExpressionValues.True;
            }
        }

        return ExpressionValues.False;
    }

    public override ExpressionType Check(CheckContext ctx)
    {
        foreach (var operand in Operands)
        {
            ctx.ExpectBoolean(operand.Check(ctx), operand.Position, "Operator '||'");
        }

        return ExpressionType.Boolean;
    }
}

/// <summary><c>a ?? b ?? ...</c>: the first non-null operand, evaluated left to right and lazily.</summary>
internal sealed class CoalesceNode(int position, Node[] operands) : Node(position, HeightOf(operands))
{
    public Node[] Operands { get; } = operands;

    public override object? Eval(ref EvalContext ctx)
    {
        ctx.Step(Position);
        foreach (var operand in Operands)
        {
            var value = operand.Eval(ref ctx);
            if (value is not null)
            {
                return value;
            }
        }

        return null;
    }

    public override ExpressionType Check(CheckContext ctx)
    {
        var type = ExpressionType.Null;
        foreach (var operand in Operands)
        {
            type = CheckContext.Merge(type, operand.Check(ctx));
        }

        return type;
    }
}

internal sealed class ConditionalNode(int position, Node condition, Node whenTrue, Node whenFalse)
    : Node(position, Math.Max(condition.Height, Math.Max(whenTrue.Height, whenFalse.Height)) + 1)
{
    public Node Condition { get; } = condition;

    public Node WhenTrue { get; } = whenTrue;

    public Node WhenFalse { get; } = whenFalse;

    public override object? Eval(ref EvalContext ctx)
    {
        ctx.Step(Position);
        return ExpressionValues.Truthy(Condition.Eval(ref ctx), Condition.Position, "The condition of '? :'")
            ? WhenTrue.Eval(ref ctx)
            : WhenFalse.Eval(ref ctx);
    }

    public override ExpressionType Check(CheckContext ctx)
    {
        ctx.ExpectBoolean(Condition.Check(ctx), Condition.Position, "The condition of '? :'");
        return CheckContext.Merge(WhenTrue.Check(ctx), WhenFalse.Check(ctx));
    }
}

internal sealed class CallNode(int position, FunctionInfo function, Node[] args) : Node(position, args.Length == 0 ? 1 : HeightOf(args))
{
    public FunctionInfo Function { get; } = function;

    public Node[] Args { get; } = args;

    public override object? Eval(ref EvalContext ctx)
    {
        ctx.Step(Position);
        return Builtins.Invoke(this, ref ctx);
    }

    public override ExpressionType Check(CheckContext ctx) => Builtins.Check(this, ctx);
}
