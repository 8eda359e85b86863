using System.Text.Json;
using System.Text.Json.Serialization;
using ApprovalEngine.Expressions;

namespace ApprovalEngine.Flows.Wd;

/// <summary>Payment types of WD transactions (the manual's list).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<WdPaymentType>))]
public enum WdPaymentType
{
    CreditCard,
    WireTransfer,
    SettlementCreditCard,
    SettlementWireTransfer,
    Fee,
}

/// <summary>The withdrawal's payment type is the method of the customer's last deposit (manual 003).</summary>
public static class WdPaymentTypes
{
    /// <summary>Methods a deposit can come in by: every payment type except the fee.</summary>
    public static readonly IReadOnlyList<string> DepositMethods =
        [nameof(WdPaymentType.CreditCard), nameof(WdPaymentType.WireTransfer), nameof(WdPaymentType.SettlementCreditCard), nameof(WdPaymentType.SettlementWireTransfer)];

    public static bool IsDepositMethod(string? method) => method is not null && DepositMethods.Contains(method, StringComparer.Ordinal);

    /// <summary>
    /// The withdrawal's payment type for the platform's last deposit method: that method when it is one of the
    /// manual's types; CreditCard (the flow's long-standing default) when there was none or the platform names another.
    /// </summary>
    public static WdPaymentType FromLastDeposit(string? method) =>
        IsDepositMethod(method) ? Enum.Parse<WdPaymentType>(method!) : WdPaymentType.CreditCard;
}

[JsonConverter(typeof(JsonStringEnumConverter<WdTransactionStatus>))]
public enum WdTransactionStatus
{
    /// <summary>Created (by Approve or by hand), editable, not yet sent to the ledger.</summary>
    Draft,

    /// <summary>Applied on the trading platform by Complete; <see cref="WdTransaction.TradeId"/> is set.</summary>
    Executed,
}

/// <summary>
/// One transaction of a WD request, stored in the instance variable <c>transactions</c> as a list of objects with these
/// camelCase fields. <see cref="Amount"/> is positive; the ledger operation is its negation.
/// </summary>
public sealed record WdTransaction
{
    public required string Id { get; init; }
    public required decimal Amount { get; init; }
    public required WdPaymentType PaymentType { get; init; }

    /// <summary>Original Credit Transaction: funds go directly to the customer's eligible card account.</summary>
    public bool Oct { get; init; }

    /// <summary>Required for WireTransfer and SettlementWireTransfer.</summary>
    public string? BankDetails { get; init; }

    public WdTransactionStatus Status { get; init; } = WdTransactionStatus.Draft;

    /// <summary>The platform's ticket of the balance operation, once executed.</summary>
    public long? TradeId { get; init; }

    public DateTimeOffset? ExecutedAt { get; init; }

    public bool IsFee => PaymentType == WdPaymentType.Fee;

    public bool IsExecuted => Status == WdTransactionStatus.Executed;
}

/// <summary>What an operator enters to add or edit a transaction (the contract's transaction body).</summary>
public sealed record WdTransactionInput(decimal Amount, WdPaymentType PaymentType, bool Oct = false, string? BankDetails = null);

/// <summary>The request as the transaction rules see it: status, requested amount, currency and current transactions.</summary>
/// <param name="Executing">True while Complete runs (variable <c>executing</c>): nothing may change then.</param>
public sealed record WdTransactionScope(string? Status, decimal RequestedAmount, string Currency, IReadOnlyList<WdTransaction> Transactions, bool Executing = false);

/// <summary>How a rule refused a change, so a host can pick the HTTP status.</summary>
public enum WdRuleViolation
{
    None,

    /// <summary>The transaction does not exist (404).</summary>
    NotFound,

    /// <summary>Not possible in the request's current state (409).</summary>
    NotAllowedNow,

    /// <summary>Well-formed but invalid data (422); <see cref="WdTransactionResult.Field"/> names the field.</summary>
    Invalid,
}

/// <summary>The transactions after a change, or why the change is refused (the list is then unchanged).</summary>
public sealed record WdTransactionResult(IReadOnlyList<WdTransaction> Transactions, WdRuleViolation Violation = WdRuleViolation.None, string? Error = null, string? Field = null)
{
    public bool Ok => Violation == WdRuleViolation.None;
}

/// <summary>
/// Rules of the Transactions tab: add, edit and delete only while the request is ApprovedByBackoffice (and not while
/// Complete executes); the payment type is fixed once saved; the fee transaction is fixed once approved (a request has
/// at most one); executed transactions never change; amounts are positive with the currency's precision; wire
/// transfers need bank details; the transactions never total more than the requested amount.
/// </summary>
public static class WdTransactions
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static bool NeedsBankDetails(WdPaymentType type) => type is WdPaymentType.WireTransfer or WdPaymentType.SettlementWireTransfer;

    /// <summary>Null when transactions may change in this state; otherwise why not.</summary>
    public static string? CheckState(WdTransactionScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (WdStatuses.IsFinal(scope.Status)) return $"The request is {scope.Status}; its transactions cannot be added, edited or deleted.";
        if (scope.Status != WdStatuses.ApprovedByBackoffice) return $"Transactions can be changed only when the request is {WdStatuses.ApprovedByBackoffice} (it is {scope.Status ?? "not started"}).";
        if (scope.Executing) return "The transactions are being executed; wait for Complete to finish.";
        return null;
    }

    /// <summary>Null when the entered data is valid for <paramref name="currency"/>; otherwise (field, message).</summary>
    public static (string Field, string Message)? CheckInput(WdTransactionInput input, string currency)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!Enum.IsDefined(input.PaymentType)) return ("paymentType", $"Unknown payment type '{input.PaymentType}'.");
        if (WdCurrencies.CheckAmount(input.Amount, currency) is { } amount) return ("amount", amount);
        if (NeedsBankDetails(input.PaymentType) && string.IsNullOrWhiteSpace(input.BankDetails)) return ("bankDetails", $"Bank details are required for {input.PaymentType}.");
        return null;
    }

    public static WdTransactionResult Add(WdTransactionScope scope, string id, WdTransactionInput input)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (CheckState(scope) is { } state) return Refuse(scope, WdRuleViolation.NotAllowedNow, state);
        if (CheckInput(input, scope.Currency) is { } bad) return Refuse(scope, WdRuleViolation.Invalid, bad.Message, bad.Field);
        if (scope.Transactions.Any(t => t.Id == id)) return Refuse(scope, WdRuleViolation.Invalid, $"A transaction with id '{id}' already exists.", "id");
        if (input.PaymentType == WdPaymentType.Fee && scope.Transactions.Any(t => t.IsFee)) return Refuse(scope, WdRuleViolation.Invalid, "The request already has a fee transaction; there can be only one.", "paymentType");
        var added = new WdTransaction { Id = id, Amount = input.Amount, PaymentType = input.PaymentType, Oct = input.Oct, BankDetails = Clean(input.BankDetails) };
        return WithinRequested(scope, [.. scope.Transactions, added]);
    }

    public static WdTransactionResult Edit(WdTransactionScope scope, string id, WdTransactionInput input)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(input);
        if (CheckState(scope) is { } state) return Refuse(scope, WdRuleViolation.NotAllowedNow, state);
        var existing = scope.Transactions.FirstOrDefault(t => t.Id == id);
        if (existing is null) return Refuse(scope, WdRuleViolation.NotFound, $"No transaction '{id}' on this request.");
        if (existing.IsExecuted) return Refuse(scope, WdRuleViolation.NotAllowedNow, "The transaction is executed; it cannot be edited.");
        if (existing.IsFee) return Refuse(scope, WdRuleViolation.NotAllowedNow, "The fee cannot be edited after approval.");
        // Backoffice may correct the payment type (issue 13: it defaults to the last deposit's method, which can be
        // wrong), among the withdrawal types only: a withdrawal never becomes the fee.
        if (input.PaymentType != existing.PaymentType && input.PaymentType == WdPaymentType.Fee) return Refuse(scope, WdRuleViolation.Invalid, "A withdrawal cannot be changed into the fee transaction.", "paymentType");
        if (CheckInput(input, scope.Currency) is { } bad) return Refuse(scope, WdRuleViolation.Invalid, bad.Message, bad.Field);
        var edited = existing with { Amount = input.Amount, PaymentType = input.PaymentType, Oct = input.Oct, BankDetails = Clean(input.BankDetails) };
        return WithinRequested(scope, [.. scope.Transactions.Select(t => t.Id == id ? edited : t)]);
    }

    public static WdTransactionResult Delete(WdTransactionScope scope, string id)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (CheckState(scope) is { } state) return Refuse(scope, WdRuleViolation.NotAllowedNow, state);
        var existing = scope.Transactions.FirstOrDefault(t => t.Id == id);
        if (existing is null) return Refuse(scope, WdRuleViolation.NotFound, $"No transaction '{id}' on this request.");
        if (existing.IsExecuted) return Refuse(scope, WdRuleViolation.NotAllowedNow, "The transaction is executed; it cannot be deleted.");
        if (existing.IsFee) return Refuse(scope, WdRuleViolation.NotAllowedNow, "The fee cannot be deleted after approval.");
        return new WdTransactionResult([.. scope.Transactions.Where(t => t.Id != id)]);
    }

    /// <summary>
    /// The drafts Approve creates: the withdrawal (requested − fee, so that withdrawal + fee = requested and
    /// Completed means "executed = requested") and, when the fee is above zero, the fee transaction.
    /// </summary>
    public static IReadOnlyList<WdTransaction> CreateDrafts(decimal requestedAmount, decimal fee, string currency, WdPaymentType paymentType, string? bankDetails, Func<string> newId)
    {
        ArgumentNullException.ThrowIfNull(newId);
        if (paymentType == WdPaymentType.Fee) throw new ArgumentException("The withdrawal cannot have payment type Fee.", nameof(paymentType));
        if (fee < 0) throw new ArgumentOutOfRangeException(nameof(fee), fee, "The fee cannot be negative.");
        if (fee >= requestedAmount) throw new ArgumentOutOfRangeException(nameof(fee), fee, $"The fee must be less than the requested amount ({requestedAmount} {currency}).");
        if (WdCurrencies.CheckAmount(requestedAmount, currency) is { } bad) throw new ArgumentOutOfRangeException(nameof(requestedAmount), requestedAmount, bad);
        if (fee > 0 && WdCurrencies.CheckAmount(fee, currency) is { } badFee) throw new ArgumentOutOfRangeException(nameof(fee), fee, badFee);
        var list = new List<WdTransaction>
        {
            new() { Id = newId(), Amount = requestedAmount - fee, PaymentType = paymentType, BankDetails = Clean(bankDetails) },
        };
        if (fee > 0) list.Add(new WdTransaction { Id = newId(), Amount = fee, PaymentType = WdPaymentType.Fee });
        return list;
    }

    /// <summary>Reads the <c>transactions</c> variable (null or a list of objects).</summary>
    public static IReadOnlyList<WdTransaction> FromVariable(object? value)
    {
        if (value is null) return [];
        var node = ExpressionValues.ToJsonNode(value);
        return node.Deserialize<List<WdTransaction>>(Json) ?? [];
    }

    /// <summary>The value to store in the <c>transactions</c> variable.</summary>
    public static object? ToVariable(IEnumerable<WdTransaction> transactions) =>
        ExpressionValues.FromJsonNode(JsonSerializer.SerializeToNode(transactions.ToList(), Json));

    private static WdTransactionResult WithinRequested(WdTransactionScope scope, IReadOnlyList<WdTransaction> after)
    {
        var total = after.Sum(t => t.Amount);
        return total > scope.RequestedAmount
            ? Refuse(scope, WdRuleViolation.Invalid, $"The transactions would total {total} {scope.Currency}, more than the requested amount {scope.RequestedAmount} {scope.Currency}.", "amount")
            : new WdTransactionResult(after);
    }

    private static WdTransactionResult Refuse(WdTransactionScope scope, WdRuleViolation violation, string error, string? field = null) =>
        new(scope.Transactions, violation, error, field);

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
