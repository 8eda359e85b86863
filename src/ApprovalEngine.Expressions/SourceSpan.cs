namespace ApprovalEngine.Expressions;

/// <summary>
/// Where a problem is in an expression's text, in the one convention every consumer uses: <see cref="Offset"/> and
/// <see cref="Length"/> count UTF-16 code units from 0 (what editors and JavaScript strings index), <see cref="Line"/>
/// and <see cref="Column"/> count from 1 (what people read; a tab is one column; lines end at \n, \r\n or \r).
/// </summary>
public readonly record struct SourceSpan(int Offset, int Length, int Line, int Column)
{
    /// <summary>The span of <paramref name="length"/> code units at <paramref name="offset"/> in <paramref name="source"/>, both clamped to the text.</summary>
    public static SourceSpan At(string source, int offset, int length)
    {
        offset = Math.Clamp(offset, 0, source.Length);
        length = Math.Clamp(length, 0, source.Length - offset);
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < offset; i++)
        {
            if (source[i] == '\n' || (source[i] == '\r' && (i + 1 >= source.Length || source[i + 1] != '\n')))
            {
                line++;
                lineStart = i + 1;
            }
        }

        return new SourceSpan(offset, length, line, offset - lineStart + 1);
    }

    /// <summary>How messages name a place: "column 9" on the first line, "line 2, column 3" below it.</summary>
    public string Describe() => Line == 1 ? $"column {Column}" : $"line {Line}, column {Column}";

    /// <summary><see cref="Describe"/> for a 0-based offset into <paramref name="source"/>.</summary>
    public static string Describe(string source, int offset) => At(source, offset, 0).Describe();
}
