using System.Globalization;

namespace ApprovalEngine.Server.Features.Crypto.Records;

/// <summary>Crypto amounts as text: decimal arithmetic only, shown with the coin's precision.</summary>
public static class CryptoAmounts
{
    /// <summary>
    /// <paramref name="value"/> with exactly <paramref name="decimals"/> places (BTC 8: "0.25000000"). A value with more
    /// places than the coin allows (only possible for a record stored before the coin's precision was set) keeps them:
    /// an export never rounds money away. Unknown precision (null or negative): the amount as stored, without trailing zeros.
    /// </summary>
    public static string Format(decimal value, int? decimals)
    {
        var plain = value / 1.000000000000000000000000000000000m; // drops trailing zeros
        if (decimals is not { } places || places < 0) return plain.ToString(CultureInfo.InvariantCulture);
        var text = plain.ToString(CultureInfo.InvariantCulture);
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        var have = dot < 0 ? 0 : text.Length - dot - 1;
        if (have >= places) return text;
        return (dot < 0 ? text + (places > 0 ? "." : "") : text) + new string('0', places - have);
    }

    /// <summary>A state variable read as a decimal (numbers are stored as decimals; whole ones may come back as integers).</summary>
    public static decimal? Number(IReadOnlyDictionary<string, object?> variables, string name) =>
        variables.TryGetValue(name, out var value) ? value switch
        {
            decimal d => d,
            int i => i,
            long l => l,
            _ => null,
        } : null;

    public static string? Text(IReadOnlyDictionary<string, object?> variables, string name) =>
        variables.TryGetValue(name, out var value) ? value as string : null;
}
