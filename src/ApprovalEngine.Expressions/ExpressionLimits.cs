namespace ApprovalEngine.Expressions;

/// <summary>Hard limits that keep hostile or accidental input from exhausting memory, stack or CPU.</summary>
public static class ExpressionLimits
{
    /// <summary>Longest accepted source text, in characters.</summary>
    public const int MaxSourceLength = 4096;

    /// <summary>Deepest nesting of parentheses, brackets, function calls, unary operators and <c>? :</c> branches.</summary>
    public const int MaxNestingDepth = 64;

    /// <summary>Highest syntax tree (e.g. a chain of 256 <c>+</c> operators). Long <c>&amp;&amp;</c>, <c>||</c> and <c>??</c> chains are flattened and do not count.</summary>
    public const int MaxTreeHeight = 256;

    /// <summary>Most elements in one list literal <c>[...]</c>.</summary>
    public const int MaxListLiteralElements = 1000;

    /// <summary>Work units per evaluation: one per syntax node visited plus one per list/object element a function, <c>in</c> or <c>==</c> walks.</summary>
    public const int MaxEvaluationSteps = 100_000;

    /// <summary>
    /// Building text costs one extra step per this many characters of the result, so that the step budget also bounds
    /// the memory one evaluation can allocate (a list of many near-limit strings), not only its node visits.
    /// </summary>
    public const int CharactersPerStep = 64;

    /// <summary>Longest text an evaluation may produce (1 Mi characters).</summary>
    public const int MaxStringLength = 1 << 20;

    /// <summary>Deepest nesting of list/object values that equality, <c>string()</c> and JSON conversion will walk.</summary>
    public const int MaxValueDepth = 128;

    /// <summary>Parsed expressions kept by the parse cache before it is flushed.</summary>
    public const int ParseCacheCapacity = 10_000;
}
