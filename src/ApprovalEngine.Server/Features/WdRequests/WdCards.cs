using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Expressions;
using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Features.Tasks;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.WdRequests;

/// <summary>A comment on the card: the creation comment, action comments and comments added on the card.</summary>
public sealed record WdCommentView(DateTimeOffset At, string? User, string Text, string Kind, string? Action, bool CopyToClientCard);

/// <summary>
/// The WD request card. The contract's fields first (id … actions), then extras for the inbox. availableAmount and
/// recommendedAmount are computed now from the account and the customer's other open requests;
/// availableAmountAtCreation is what the request was checked against.
/// </summary>
public sealed record WdCard(
    Guid Id,
    string Status,
    string? Department,
    int Priority,
    string CustomerId,
    string TradingAccount,
    decimal RequestedAmount,
    string Currency,
    decimal? AvailableAmount,
    decimal Fee,
    IReadOnlyList<WdTransaction> Transactions,
    IReadOnlyList<WdCommentView> Comments,
    IReadOnlyList<string> Actions,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    decimal? RecommendedAmount,
    decimal? AvailableAmountAtCreation,
    bool Overdue,
    Guid? TaskId,
    long InstanceVersion,
    IReadOnlyList<TaskActionView> ActionDetails,
    bool Final,
    bool Executing,
    decimal ExecutedTotal,
    string? CompletionMessage,
    WdAccountFacts? AccountFacts = null);

/// <summary>
/// The trading account as the ledger reports it when the card is read (not when the task was entered); null when the
/// platform does not know the account. The approving actions are judged on these figures (ADR 0019).
/// </summary>
public sealed record WdAccountFacts(decimal Balance, decimal Equity, decimal Margin, decimal FreeMargin, decimal Credit, int OpenTrades, decimal? MarginLevel, DateTimeOffset ReadAt);

/// <summary>Reads WD cards (and the instance behind them) for a caller.</summary>
public sealed class WdCards(ApprovalDbContext db, DefinitionCache cache, WorkflowEngine engine, ILedger ledger, WdSettings settings, TimeProvider clock)
{
    public const string CommentsVariable = "comments";

    /// <summary>The request id from the route; 404 when it is not a WD request.</summary>
    public async Task<Guid> RequireAsync(string? id, CancellationToken ct)
    {
        var requestId = Require.Id(id, "WD request");
        if (!await db.WdRequests.AsNoTracking().AnyAsync(r => r.Id == requestId, ct)) throw ApiProblemException.NotFound($"No WD request {id}.");
        return requestId;
    }

    /// <param name="knownRow">The request's row as the caller read it (its identity and amounts never change): not read again.</param>
    /// <param name="knownState">The instance as a step just saved it: not read back.</param>
    public async Task<WdCard> LoadAsync(Guid id, Actor actor, CancellationToken ct, Persistence.Entities.WdRequestRecord? knownRow = null, InstanceState? knownState = null)
    {
        var row = knownRow ?? await db.WdRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct) ?? throw ApiProblemException.NotFound($"No WD request {id}.");
        var state = knownState;
        if (state is null)
        {
            var json = await db.Instances.AsNoTracking().Where(i => i.Id == id).Select(i => i.StateJson).FirstOrDefaultAsync(ct) ?? throw ApiProblemException.NotFound($"No WD request {id}.");
            state = InstanceStateJson.Deserialize(json);
        }
        var vars = state.Variables;
        TradingAccount? account;
        try
        {
            account = await ledger.GetAccountAsync(row.TradingAccount, ct);
        }
        catch (Exception ex) when (ex is LedgerRejectedException || WdActionFacts.IsOutage(ex, ct))
        {
            // The card must open (and Reject / Back to CS stay possible) while the platform is down: without current
            // figures accountFacts is null and every approving action is unavailable, with the reason.
            account = null;
        }
        var readAt = clock.GetUtcNow();
        var task = await db.Tasks.AsNoTracking().Where(t => t.InstanceId == id && t.Status == "Open").OrderBy(t => t.CreatedAt).FirstOrDefaultAsync(ct);
        IReadOnlyList<TaskActionView> details = [];
        if (task is not null)
        {
            // Offered as they would be judged now: guards see the current account, and the current-facts rule applies.
            var judged = account is null ? state : WorkflowEngine.WithFacts(state, WdFacts.ToVariables(account, readAt));
            (details, _) = await TasksApi.DescribeAsync(db, cache, engine, task, actor, ct, judged);
            var transactions = WdTransactions.FromVariable(vars.GetValueOrDefault(WdVariables.Transactions));
            details = [.. details.Select(a => a.Available && WdFacts.Check(a.Name, task.Department, row.RequestedAmount, row.Currency, transactions, account) is { } why
                ? a with { Available = false, Reason = why }
                : a)];
        }

        var (available, recommended) = await AmountsAsync(row.Id, row.CustomerId, account, ct);
        var status = state.BusinessStatus ?? row.Status;
        var overdue = task is not null && (task.Overdue || (task.DueAt is { } due && due < clock.GetUtcNow()));
        return new WdCard(
            row.Id, status, state.Department, state.Priority, row.CustomerId, row.TradingAccount, WdVars.Normalize(row.RequestedAmount), row.Currency,
            available, WdVars.Number(vars, WdVariables.Fee) ?? 0m,
            WdTransactions.FromVariable(vars.GetValueOrDefault(WdVariables.Transactions)),
            await CommentsAsync(id, vars, ct),
            [.. details.Where(a => a.Available).Select(a => a.Name)],
            row.CreatedAt, state.UpdatedAt, recommended, WdVars.Number(vars, WdVariables.AvailableAmount), overdue, task?.Id, state.Version, details,
            WdStatuses.IsFinal(status), WdCompletion.IsExecuting(status, WdVars.Flag(vars, WdVariables.Executing)), WdVars.Number(vars, WdVariables.ExecutedTotal) ?? 0m,
            WdVars.Text(vars, WdVariables.CompletionMessage),
            account is null ? null : new WdAccountFacts(account.Balance, account.Equity, account.Margin, account.FreeMargin, account.Credit, account.OpenTrades,
                WdAmounts.MarginLevel(account.Equity, account.Margin), readAt));
    }

    /// <summary>Sum of the customer's open requests (New, AwaitingDocs, ApprovedByCS, ApprovedByRetention), except <paramref name="except"/>.</summary>
    public async Task<decimal> SumOfOpenRequestsAsync(string customerId, Guid? except, CancellationToken ct)
    {
        var open = WdStatuses.Open.ToList();
        var rows = await db.WdRequests.AsNoTracking()
            .Where(r => r.CustomerId == customerId && open.Contains(r.Status) && (except == null || r.Id != except))
            .Select(r => new { r.Status, r.RequestedAmount })
            .ToListAsync(ct);
        // Summed here: SQLite cannot aggregate decimals.
        return WdAmounts.SumOfOpenRequests(rows.Select(r => new WdRequestAmount(r.Status, r.RequestedAmount)));
    }

    private async Task<(decimal? Available, decimal? Recommended)> AmountsAsync(Guid id, string customerId, TradingAccount? facts, CancellationToken ct)
    {
        if (facts is null) return (null, null);
        var others = await SumOfOpenRequestsAsync(customerId, id, ct);
        return (WdAmounts.Available(facts, others, settings), WdAmounts.Recommended(facts, others, settings));
    }

    private async Task<IReadOnlyList<WdCommentView>> CommentsAsync(Guid id, IReadOnlyDictionary<string, object?> vars, CancellationToken ct)
    {
        var journal = await db.Journal.AsNoTracking()
            .Where(j => j.InstanceId == id && (j.Kind == JournalKinds.InstanceStarted || (j.Kind == JournalKinds.TaskCompleted && j.Comment != null)))
            .OrderBy(j => j.Sequence)
            .Select(j => new { j.Kind, j.Timestamp, j.UserId, j.Action, j.Comment })
            .ToListAsync(ct);
        var list = new List<WdCommentView>();
        foreach (var j in journal)
        {
            if (j.Kind == JournalKinds.InstanceStarted)
            {
                if (WdVars.Text(vars, WdVariables.Comment) is { Length: > 0 } created) list.Add(new WdCommentView(j.Timestamp, j.UserId, created, "Created", null, false));
            }
            else if (!string.IsNullOrWhiteSpace(j.Comment))
            {
                list.Add(new WdCommentView(j.Timestamp, j.UserId, j.Comment, "Action", j.Action, false));
            }
        }
        list.AddRange(ReadAddedComments(vars));
        return [.. list.OrderBy(c => c.At)];
    }

    public static IReadOnlyList<WdCommentView> ReadAddedComments(IReadOnlyDictionary<string, object?> vars)
    {
        if (!vars.TryGetValue(CommentsVariable, out var value) || value is null) return [];
        if (ExpressionValues.ToJsonNode(value) is not JsonArray array) return [];
        var list = new List<WdCommentView>();
        foreach (var item in array.OfType<JsonObject>())
        {
            var text = item["text"]?.GetValue<string>();
            if (string.IsNullOrEmpty(text)) continue;
            var at = DateTimeOffset.TryParse(item["at"]?.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t : DateTimeOffset.MinValue;
            list.Add(new WdCommentView(at, item["user"]?.GetValue<string>(), text, "Comment", null, item["copyToClientCard"]?.GetValue<bool>() == true));
        }
        return list;
    }
}
