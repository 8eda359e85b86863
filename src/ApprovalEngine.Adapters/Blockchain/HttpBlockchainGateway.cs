using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using ApprovalEngine.Adapters.Http;

namespace ApprovalEngine.Adapters.Blockchain;

/// <summary>
/// The custody service's REST contract (docs/adapters/custody.md): the body of <c>POST /v1/transfers</c>. Amounts travel
/// as decimal strings, never JSON numbers, so no side parses them into a double.
/// </summary>
public sealed record CustodyTransferBody(
    [property: JsonPropertyName("coin")] string Coin,
    [property: JsonPropertyName("network")] string Network,
    [property: JsonPropertyName("toAddress")] string ToAddress,
    [property: JsonPropertyName("amount")] string Amount,
    [property: JsonPropertyName("reference")] string Reference);

/// <summary>What the custody service answers for a transfer it broadcast (first time 201, the same key again 200).</summary>
public sealed record CustodyTransferAnswer(
    [property: JsonPropertyName("txId")] string? TxId,
    [property: JsonPropertyName("coin")] string? Coin,
    [property: JsonPropertyName("network")] string? Network,
    [property: JsonPropertyName("toAddress")] string? ToAddress,
    [property: JsonPropertyName("amount")] string? Amount,
    [property: JsonPropertyName("reference")] string? Reference,
    [property: JsonPropertyName("broadcastAt")] DateTimeOffset? BroadcastAt);

/// <summary>
/// <see cref="IBlockchainGateway"/> over the custody service's REST API, on the signed, resilient client of the HTTP kit
/// (<see cref="HttpAdapterRegistration.AddSignedHttpAdapter"/>). The port's contract mapped onto HTTP:
/// 2xx is the transaction; a 4xx carrying one of the documented problem <see cref="RefusalCodes"/> is a refusal
/// (<see cref="BlockchainRejectedException"/>, the flow's Refused outcome, never retried); anything else (5xx and
/// timeouts after the kit's retries, 401 for a bad signature, an unreadable answer) throws an exception that means
/// "unknown": the engine retries the step later with the same idempotency key, and the service answers the first
/// transaction, so a lost response never sends coins twice.
/// </summary>
public sealed class HttpBlockchainGateway(HttpClient client, TimeProvider clock) : IBlockchainGateway
{
    /// <summary>The named <see cref="HttpClient"/> the adapter uses.</summary>
    public const string ClientName = "custody";

    public const string TransfersPath = "v1/transfers";

    /// <summary>
    /// Problem codes (the problem document's <c>code</c>) that are the service's final "no": retrying with the same key
    /// cannot change them. Any other 4xx is a fault on our side or in the configuration (a wrong key, a wrong base
    /// address) that an operator fixes, after which the step's retry succeeds: it stays "unknown".
    /// </summary>
    public static readonly IReadOnlySet<string> RefusalCodes = new HashSet<string>(StringComparer.Ordinal)
    {
        "insufficient-funds", "invalid-address", "invalid-amount", "unsupported-coin", "idempotency-key-reused", "address-blocked",
    };

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<BroadcastResult> BroadcastAsync(BroadcastRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // Without a key the service could not recognise our retry; refusing here sends nothing.
        if (string.IsNullOrWhiteSpace(request.IdempotencyKey)) throw new BlockchainRejectedException("A broadcast needs an idempotency key.");
        var amount = DecimalText(request.Amount);
        using var message = new HttpRequestMessage(HttpMethod.Post, TransfersPath)
        {
            Content = JsonContent.Create(new CustodyTransferBody(request.Coin, request.Network, request.ToAddress, amount, request.Reference), options: Json),
        };
        message.Headers.Add(RequestSignature.IdempotencyKeyHeader, request.IdempotencyKey);
        using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.IsSuccessStatusCode) return Read(text, request, amount, clock);
        var status = (int)response.StatusCode;
        if (status is >= 400 and < 500 && ProblemCode(text) is { } code && RefusalCodes.Contains(code))
        {
            throw new BlockchainRejectedException($"Custody refused the transfer ({code}): {ProblemDetail(text) ?? "no detail"}");
        }
        // Unknown: the kit already retried what was transient; the step's own retry (same key) resolves it.
        throw new HttpRequestException($"Custody answered {status} to the broadcast {request.IdempotencyKey}; the outcome is unknown until a retry with the same key.",
            null, response.StatusCode);
    }

    /// <summary>The decimal as the contract writes it: invariant culture, no exponent, no trailing zeros.</summary>
    public static string DecimalText(decimal value) => (value / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);

    private static BroadcastResult Read(string text, BroadcastRequest request, string amountSent, TimeProvider clock)
    {
        CustodyTransferAnswer? answer;
        try
        {
            answer = JsonSerializer.Deserialize<CustodyTransferAnswer>(text, Json);
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException("Custody answered success with a body that is not the transfer JSON.", ex);
        }
        if (answer?.TxId is not { Length: > 0 } txId) throw new InvalidOperationException("Custody answered success without a txId.");
        // The service returns the first transfer for a key; one that differs from what we asked is not ours to report
        // as sent (the service should have answered 409): an incident for a person, not a silent wrong record.
        if (answer.Amount is { } answered && (!TryParseDecimal(answered, out var sent) || sent != request.Amount))
        {
            throw new InvalidOperationException($"Custody reported transfer {txId} of {answered}, but {amountSent} was asked under the key {request.IdempotencyKey}.");
        }
        if (answer.ToAddress is { } address && address != request.ToAddress)
        {
            throw new InvalidOperationException($"Custody reported transfer {txId} to another address than asked under the key {request.IdempotencyKey}.");
        }
        return new BroadcastResult(txId, request.Coin, request.Network, request.ToAddress, request.Amount, request.Reference, request.IdempotencyKey,
            answer.BroadcastAt ?? clock.GetUtcNow());
    }

    public static bool TryParseDecimal(string text, out decimal value) =>
        decimal.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);

    private static string? ProblemCode(string text) => ProblemField(text, "code");

    private static string? ProblemDetail(string text) => ProblemField(text, "detail");

    private static string? ProblemField(string text, string name)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
                ? value.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
