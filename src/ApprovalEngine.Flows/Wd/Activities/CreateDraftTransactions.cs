using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Flows.Wd.Activities;

public sealed class CreateDraftTransactionsInput
{
    [System.ComponentModel.DataAnnotations.Required]
    [Description("Requested amount of the WD request.")]
    public decimal RequestedAmount { get; set; }

    [Description("Fee set by Dealing or Backoffice (0 or null: no fee transaction).")]
    public decimal? Fee { get; set; }

    [System.ComponentModel.DataAnnotations.Required]
    [Description("Currency of the request.")]
    public string? Currency { get; set; }

    [Description("Payment type of the withdrawal (the method of the last deposit); CreditCard when not given.")]
    public WdPaymentType? PaymentType { get; set; }

    [Description("Bank details for wire transfers, when known.")]
    public string? BankDetails { get; set; }
}

public sealed record CreateDraftTransactionsOutput([property: Description("The draft withdrawal and fee transactions.")] IReadOnlyList<WdTransaction> Transactions);

/// <summary>
/// On Backoffice Approve: builds the draft withdrawal (requested − fee) and, when the fee is above zero, the draft fee
/// transaction, so that executing both withdraws exactly the requested amount. Runs inside the step; ids are the
/// engine's deterministic ids.
/// </summary>
[Activity("CreateDraftTransactions", "Withdrawals", "Create draft WD transactions",
    Description = "Creates the draft withdrawal (requested amount minus fee) and fee transactions into the transactions variable.")]
public sealed class CreateDraftTransactions : DomainActivity<CreateDraftTransactionsInput, CreateDraftTransactionsOutput>
{
    protected override DomainResult<CreateDraftTransactionsOutput> Run(CreateDraftTransactionsInput input, ActivityContext context)
    {
        try
        {
            var drafts = WdTransactions.CreateDrafts(
                input.RequestedAmount,
                input.Fee ?? 0m,
                input.Currency ?? "",
                input.PaymentType ?? WdPaymentType.CreditCard,
                input.BankDetails,
                () => context.NewId().ToString());
            return DomainResult<CreateDraftTransactionsOutput>.Done(new CreateDraftTransactionsOutput(drafts));
        }
        catch (ArgumentException ex)
        {
            throw new ActivityFailedException($"Cannot create the draft transactions: {ex.Message}");
        }
    }
}
