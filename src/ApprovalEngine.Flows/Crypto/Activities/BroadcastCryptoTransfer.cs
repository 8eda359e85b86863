using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.Crypto.Activities;

public sealed class BroadcastCryptoTransferInput
{
    [System.ComponentModel.DataAnnotations.Required][Description("Coin.")] public string? Coin { get; set; }
    [System.ComponentModel.DataAnnotations.Required][Description("Network.")] public string? Network { get; set; }
    [System.ComponentModel.DataAnnotations.Required][Description("Destination address.")] public string? ToAddress { get; set; }
    [System.ComponentModel.DataAnnotations.Required][Description("Amount sent on chain.")] public decimal Amount { get; set; }
    [Description("Reference, e.g. the record number.")] public string? Reference { get; set; }
}

public sealed record BroadcastCryptoTransferOutput(
    [property: Description("Transaction hash; null when refused.")] string? TxId,
    [property: Description("When it was broadcast.")] DateTimeOffset? BroadcastAt,
    [property: Description("Why the custody side refused it.")] string? FailureReason);

/// <summary>
/// Signs and broadcasts a transfer through <see cref="IBlockchainGateway"/> after the commit, with the job's
/// idempotency key: a retried job (lost response, crash) returns the first transaction and never sends twice.
/// A refusal is the Refused outcome; other errors are retried, then become an incident.
/// </summary>
[Activity("BroadcastCryptoTransfer", "Crypto", "Broadcast crypto transfer",
    Description = "Broadcasts a withdrawal or refund to the blockchain (idempotent); outputs the TXID.",
    Outcomes = ["Broadcast", "Refused"], MovesMoney = true, NothingMovedOutcomes = ["Refused"])]
public sealed class BroadcastCryptoTransfer(IBlockchainGateway gateway) : ExternalActivity<BroadcastCryptoTransferInput, BroadcastCryptoTransferOutput>
{
    protected override async Task<DomainResult<BroadcastCryptoTransferOutput>> RunAsync(BroadcastCryptoTransferInput input, ExternalCallContext call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            var result = await gateway.BroadcastAsync(
                new BroadcastRequest(input.Coin ?? "", input.Network ?? "", input.ToAddress ?? "", input.Amount, input.Reference ?? "", call.IdempotencyKey),
                cancellationToken);
            return new("Broadcast", new BroadcastCryptoTransferOutput(result.TxId, result.BroadcastAt, null));
        }
        catch (BlockchainRejectedException ex)
        {
            return new("Refused", new BroadcastCryptoTransferOutput(null, null, ex.Message));
        }
    }
}
