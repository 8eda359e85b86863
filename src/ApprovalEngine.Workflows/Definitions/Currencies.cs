using System.Collections.Frozen;

namespace ApprovalEngine.Workflows.Definitions;

/// <summary>
/// The one table of money precision: ISO 4217 codes in use with their minor units, and the coins the flows know
/// (8 decimals). The value checker (<c>format: "currency"</c>, <c>currencyInput</c>) and the flows' own rules read it,
/// so an amount accepted at the door is never refused later for its decimals, or the other way round.
/// </summary>
public static class Currencies
{
    /// <summary>Decimals of coin amounts the flows keep (ledger precision), whatever the coin's own on-chain precision.</summary>
    public const int CoinDecimals = 8;

    private static readonly FrozenDictionary<string, int> Iso4217 = Build();

    /// <summary>Coins the flows know, written in upper case.</summary>
    public static readonly IReadOnlySet<string> Coins = new[] { "BTC", "ETH", "LTC", "BCH", "XRP", "USDT", "USDC" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>Decimal places of an amount in <paramref name="code"/>; null when the code is neither ISO 4217 nor a known coin.</summary>
    public static int? MinorUnits(string? code)
    {
        if (code is null) return null;
        if (Iso4217.TryGetValue(code, out var units)) return units;
        return Coins.Contains(code) ? CoinDecimals : null;
    }

    /// <summary>True for an ISO 4217 code (upper case, as the standard writes it) or a known coin.</summary>
    public static bool IsKnown(string? code) => MinorUnits(code) is not null;

    public static bool IsCoin(string? code) => code is not null && Coins.Contains(code);

    /// <summary>
    /// Every code with its decimals, in code order. The designer checks forms with a copy of this table
    /// (<c>designer/src/lib/currencies.json</c>, kept equal by a test) so both sides accept the same amounts.
    /// </summary>
    public static IEnumerable<KeyValuePair<string, int>> All =>
        Iso4217.Concat(Coins.Select(c => KeyValuePair.Create(c, CoinDecimals))).OrderBy(p => p.Key, StringComparer.Ordinal);

    /// <summary>True when <paramref name="amount"/> has at most <paramref name="decimals"/> significant decimal places.</summary>
    public static bool FitsScale(decimal amount, int decimals) => decimal.Round(amount, Math.Clamp(decimals, 0, 28)) == amount;

    private static FrozenDictionary<string, int> Build()
    {
        // Most currencies have 2 minor units; the exceptions are listed by their units.
        string[] two =
        [
            "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BMD", "BND", "BOB", "BRL",
            "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DKK", "DOP", "DZD", "EGP",
            "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD", "HNL", "HTG", "HUF", "IDR", "ILS", "INR",
            "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL",
            "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR",
            "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
            "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SYP", "SZL", "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD",
            "UYU", "UZS", "VES", "WST", "XCD", "XCG", "YER", "ZAR", "ZMW", "ZWG", "ZWL",
        ];
        string[] zero = ["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"];
        string[] three = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"];
        var table = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in two) table.Add(c, 2);
        foreach (var c in zero) table.Add(c, 0);
        foreach (var c in three) table.Add(c, 3);
        return table.ToFrozenDictionary(StringComparer.Ordinal);
    }
}
