namespace ApprovalEngine.Flows.Wd;

/// <summary>WD request statuses, exactly as the HTTP contract names them.</summary>
public static class WdStatuses
{
    public const string New = "New";
    public const string AwaitingDocs = "AwaitingDocs";
    public const string ApprovedByCS = "ApprovedByCS";
    public const string ApprovedByRetention = "ApprovedByRetention";
    public const string ApprovedByDealing = "ApprovedByDealing";
    public const string ApprovedByBackoffice = "ApprovedByBackoffice";
    public const string Completed = "Completed";
    public const string PartiallyCompleted = "PartiallyCompleted";
    public const string Rejected = "Rejected";
    public const string CanceledByClient = "CanceledByClient";
    public const string ForwardedToDealing = "ForwardedToDealing";
    public const string ForwardedToBackoffice = "ForwardedToBackoffice";

    public static readonly IReadOnlyList<string> All =
    [
        New, AwaitingDocs, ApprovedByCS, ApprovedByRetention, ApprovedByDealing, ApprovedByBackoffice,
        Completed, PartiallyCompleted, Rejected, CanceledByClient, ForwardedToDealing, ForwardedToBackoffice,
    ];

    /// <summary>No actions, no transaction changes.</summary>
    public static readonly IReadOnlySet<string> Final = new HashSet<string>(StringComparer.Ordinal) { Completed, PartiallyCompleted, Rejected, CanceledByClient };

    /// <summary>"Opened" WD requests whose requested amounts reduce the available and recommended amounts (manual).</summary>
    public static readonly IReadOnlySet<string> Open = new HashSet<string>(StringComparer.Ordinal) { New, AwaitingDocs, ApprovedByCS, ApprovedByRetention };

    public static bool IsFinal(string? status) => status is not null && Final.Contains(status);

    public static bool IsOpen(string? status) => status is not null && Open.Contains(status);
}

/// <summary>WD actions (task outcomes), exactly as the HTTP contract names them.</summary>
public static class WdActions
{
    public const string RejectAndClose = "RejectAndClose";
    public const string RequestDocuments = "RequestDocuments";
    public const string PassToRetention = "PassToRetention";
    public const string PassToDealing = "PassToDealing";
    public const string PassToBackoffice = "PassToBackoffice";
    public const string Reject = "Reject";
    public const string BackToCS = "BackToCS";
    public const string Approve = "Approve";
    public const string Complete = "Complete";

    public static readonly IReadOnlyList<string> All =
        [RejectAndClose, RequestDocuments, PassToRetention, PassToDealing, PassToBackoffice, Reject, BackToCS, Approve, Complete];
}

/// <summary>Departments that hold a WD request (task candidate groups).</summary>
public static class WdDepartments
{
    public const string CS = "CS";
    public const string Retention = "Retention";
    public const string Dealing = "Dealing";
    public const string Backoffice = "Backoffice";

    public static readonly IReadOnlyList<string> All = [CS, Retention, Dealing, Backoffice];
}

/// <summary>The CRM manual's WD permissions 1–5 as actor permission strings.</summary>
public static class WdPermissions
{
    /// <summary>1 – Request Documents (also Back to CS).</summary>
    public const string RequestDocuments = "wd:1";

    /// <summary>2 – Reject WD Request.</summary>
    public const string Reject = "wd:2";

    /// <summary>3 – Pass to Department.</summary>
    public const string PassToDepartment = "wd:3";

    /// <summary>4 – Approve WD Request (also Complete).</summary>
    public const string Approve = "wd:4";

    /// <summary>5 – WD Request Mass Update.</summary>
    public const string MassUpdate = "wd:5";

    public static readonly IReadOnlyList<string> All = [RequestDocuments, Reject, PassToDepartment, Approve, MassUpdate];

    /// <summary>"wd:N" for the manual's permission number N (1–5).</summary>
    public static string FromNumber(int number) => number is >= 1 and <= 5
        ? $"wd:{number}"
        : throw new ArgumentOutOfRangeException(nameof(number), number, "WD permissions are numbered 1 to 5.");
}

/// <summary>Flow-level events of wd-request (interrupts), sent with the request's correlation id.</summary>
public static class WdEvents
{
    /// <summary>The customer cancels in the client area (system key).</summary>
    public const string ClientCancel = "ClientCancel";

    /// <summary>Mass edit: reassign to Dealing (permission 5, checked by the caller).</summary>
    public const string MassEditToDealing = "MassEditToDealing";

    /// <summary>Mass edit: reassign to Backoffice (permission 5, checked by the caller).</summary>
    public const string MassEditToBackoffice = "MassEditToBackoffice";

    /// <summary>The mass-edit event for a target department (Dealing or Backoffice).</summary>
    public static string MassEditTo(string department) => department switch
    {
        WdDepartments.Dealing => MassEditToDealing,
        WdDepartments.Backoffice => MassEditToBackoffice,
        _ => throw new ArgumentException($"Mass edit reassigns to {WdDepartments.Dealing} or {WdDepartments.Backoffice}, not '{department}'.", nameof(department)),
    };
}

/// <summary>Names of the wd-request definition's variables, for projecting the WD card.</summary>
public static class WdVariables
{
    public const string DefinitionId = "wd-request";
    public const string CustomerId = "customerId";
    public const string TradingAccount = "tradingAccount";
    public const string RequestedAmount = "requestedAmount";
    public const string Currency = "currency";
    public const string Comment = "comment";
    public const string AvailableAmount = "availableAmount";
    public const string PaymentType = "paymentType";
    public const string Fee = "fee";
    public const string Transactions = "transactions";
    public const string LastComment = "lastComment";
    public const string Executing = "executing";
    public const string ExecutedTotal = "executedTotal";
    public const string CompletionMessage = "completionMessage";
    public const string Balance = "balance";
    public const string Equity = "equity";
    public const string Margin = "margin";
    public const string FreeMargin = "freeMargin";
    public const string Credit = "credit";
    public const string OpenTrades = "openTrades";
    public const string HasOpenTrades = "hasOpenTrades";
    public const string MarginLevel = "marginLevel";
    public const string AccountLoadedAt = "accountLoadedAt";
}
