using System.Text.RegularExpressions;
using ApprovalEngine.Flows.Crypto;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Crypto.Coins;

/// <summary>Reads a <see cref="CoinBody"/>: every invalid field is collected, so one 422 names them all and nothing is written.</summary>
public sealed partial class CoinFields
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    // The same shapes the crypto flows' start inputs accept, so a configured coin can always be started.
    [GeneratedRegex("^[A-Z0-9]{2,10}$")]
    private static partial Regex CoinPattern();

    [GeneratedRegex("^[A-Z0-9_-]{2,20}$")]
    private static partial Regex NetworkPattern();

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    public string Coin(string? value)
    {
        if (value is null || !CoinPattern().IsMatch(value)) Add("coin", "'coin' must be 2 to 10 upper-case letters or digits, e.g. BTC.");
        return value ?? "";
    }

    public string Network(string? value)
    {
        if (value is null || !NetworkPattern().IsMatch(value)) Add("network", "'network' must be 2 to 20 upper-case letters, digits, '_' or '-', e.g. ERC20.");
        return value ?? "";
    }

    public T Required<T>(T? value, string field) where T : struct
    {
        if (value is null) Add(field, $"'{field}' is required.");
        return value ?? default;
    }

    public int RowVersion(int? value)
    {
        if (value is null) Add("rowVersion", "'rowVersion' (the version you read) is required to change a coin.");
        return value ?? 0;
    }

    /// <summary>The settings of the body, checked by <see cref="CoinRules.ValidateSettings"/> once each is present.</summary>
    public CoinSettings Settings(CoinBody body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var settings = new CoinSettings(Required(body.Decimals, "decimals"), Required(body.MinWithdrawal, "minWithdrawal"), Required(body.MaxWithdrawal, "maxWithdrawal"),
            Required(body.WithdrawalFee, "withdrawalFee"), Required(body.RequiredConfirmations, "requiredConfirmations"));
        if (_errors.Count == 0)
        {
            foreach (var (field, message) in CoinRules.ValidateSettings(settings)) Add(field, message);
        }
        return settings;
    }

    public void ThrowIfAny()
    {
        if (_errors.Count > 0) throw ApiProblemException.Invalid(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
    }
}

/// <summary>Saving coin changes: a concurrent edit or a duplicate key is a 409, never a 500.</summary>
public static class CoinSave
{
    public static ApiProblemException Stale(string what) => ConfigSaves.Stale(what);

    public static async Task<CryptoCoin> FindAsync(CryptoDbContext db, string coin, string network, CancellationToken ct) =>
        await db.Set<CryptoCoin>().FirstOrDefaultAsync(c => c.Coin == coin && c.Network == network, ct)
        ?? throw ApiProblemException.NotFound($"No coin {coin} is configured on the network {network}.");

    public static Task SaveAsync(CryptoDbContext db, string what, CancellationToken ct) => ConfigSaves.SaveAsync(db, what, ct);
}
