using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ApprovalEngine.Workflows.Definitions;

/// <summary>A declarative flowchart as analysts edit it. Immutable once published: instances run on the version they started on.</summary>
public sealed record WorkflowDefinition
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public int Version { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<VariableDefinition> Variables { get; init; } = [];
    public IReadOnlyList<InputDefinition> Inputs { get; init; } = [];
    public IReadOnlyList<ActivityDefinition> Activities { get; init; } = [];
    public IReadOnlyList<ConnectionDefinition> Connections { get; init; } = [];
    public IReadOnlyList<InterruptDefinition> Interrupts { get; init; } = [];

    /// <summary>Who may start the flow and how (ADR 7). Null: systems with the scope <c>start:&lt;id&gt;</c> only.</summary>
    public StartContract? Start { get; init; }

    /// <summary>Who may read its instances (ADR 7). Null: the departments of its user tasks, systems with <c>read:&lt;id&gt;</c>.</summary>
    public ReadPolicy? Read { get; init; }

    /// <summary>
    /// How its instances end early (ADR 16). Null: the generic instance cancel (right <c>instances:cancel</c>) may cancel them.
    /// With <see cref="CancelContract.Via"/>, the generic cancel route refuses and names the way to use.
    /// </summary>
    public CancelContract? Cancel { get; init; }

    /// <summary>The variable naming the customer (e.g. <c>securitiesAccount</c>); <c>GET /api/instances?customer=</c> matches it (ADR 16).</summary>
    public string? Customer { get; init; }

    /// <summary>
    /// The variables the inbox shows and searches as a task's subject (customer, account, amount, currency). Null or a
    /// column left out: <see cref="SubjectColumns.Defaults"/> by name, then the parent instance's subject for a
    /// sub-workflow (a work order's customer is its record's customer).
    /// </summary>
    public SubjectColumns? Subject { get; init; }

    /// <summary>What starts an instance besides a caller: an event (by name) or a cron schedule (ADR 9).</summary>
    public IReadOnlyList<StartTrigger> StartTriggers { get; init; } = [];

    // Lookups built once per definition instance (definitions are immutable once published); the first match wins,
    // as with the linear scans they replace.
    private static readonly ConditionalWeakTable<WorkflowDefinition, Lookup> Lookups = [];

    public ActivityDefinition? FindActivity(string id) =>
        Lookups.GetValue(this, static d => new Lookup(d)).Activities.GetValueOrDefault(id);

    public ConnectionDefinition? FindConnection(string sourceId, string outcome) =>
        Lookups.GetValue(this, static d => new Lookup(d)).Connections.GetValueOrDefault((sourceId, outcome));

    private sealed class Lookup
    {
        public readonly Dictionary<string, ActivityDefinition> Activities = new(StringComparer.Ordinal);
        public readonly Dictionary<(string, string), ConnectionDefinition> Connections = [];

        public Lookup(WorkflowDefinition definition)
        {
            foreach (var a in definition.Activities)
            {
                if (a.Id is not null) Activities.TryAdd(a.Id, a);
            }
            foreach (var c in definition.Connections)
            {
                if (c.Source is not null && c.Outcome is not null) Connections.TryAdd((c.Source, c.Outcome), c);
            }
        }
    }
}

/// <summary>Names of the variables holding a task's subject columns (see <see cref="WorkflowDefinition.Subject"/>).</summary>
public sealed record SubjectColumns(string? Customer = null, string? Account = null, string? Amount = null, string? Currency = null)
{
    public const string CustomerColumn = "customer", AccountColumn = "account", AmountColumn = "amount", CurrencyColumn = "currency";

    public static readonly IReadOnlyList<string> Columns = [CustomerColumn, AccountColumn, AmountColumn, CurrencyColumn];

    /// <summary>
    /// What a definition without <c>subject</c> (every one stored before it existed) shows: the first of these names
    /// it declares (variable or input). They cover the shipped families: WD requests, fiat withdrawals and batches,
    /// crypto withdrawals and deposits, work orders (amount and currency; customer and account from the record).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string[]> Defaults = new Dictionary<string, string[]>
    {
        [CustomerColumn] = ["customerId", "securitiesAccount", "customer"],
        [AccountColumn] = ["tradingAccount", "bankAccount", "address", "depositAddress", "account"],
        [AmountColumn] = ["requestedAmount", "amount", "total"],
        [CurrencyColumn] = ["currency", "coin"],
    };

    public string? Named(string column) => column switch
    {
        CustomerColumn => Customer,
        AccountColumn => Account,
        AmountColumn => Amount,
        CurrencyColumn => Currency,
        _ => null,
    };

    /// <summary>The variable holding <paramref name="column"/> in <paramref name="definition"/>, or null (then the parent's).</summary>
    public static string? Resolve(WorkflowDefinition definition, string column)
    {
        if (definition.Subject?.Named(column) is { } named) return named;
        if (column == CustomerColumn && definition.Customer is { } customer) return customer;
        return Defaults[column].FirstOrDefault(name => definition.Variables.Any(v => v.Name == name) || definition.Inputs.Any(i => i.Name == name));
    }
}

public sealed record VariableDefinition(string Name, string Type = "any", JsonNode? Default = null, string? Description = null)
{
    /// <summary>Owned by the flow's activities (transactions, facts, results): no form field may write it (ADR 7).</summary>
    public bool ReadOnly { get; init; }
}

/// <summary>
/// Constraints on a value that a caller supplies (a start input or an action's form field), checked by the engine
/// before anything runs (ADR 7). Names follow JSON Schema where one exists.
/// </summary>
public abstract record ValueSpec
{
    public decimal? Minimum { get; init; }
    public decimal? Maximum { get; init; }
    public decimal? ExclusiveMinimum { get; init; }

    /// <summary>At most this many decimal places (numbers).</summary>
    public int? Scale { get; init; }

    public int? MinLength { get; init; }
    public int? MaxLength { get; init; }

    /// <summary>A .NET regular expression the whole text must match (evaluated with a timeout).</summary>
    public string? Pattern { get; init; }

    public IReadOnlyList<string>? Enum { get; init; }

    /// <summary><c>currency</c>: an ISO 4217 code (or a known coin).</summary>
    public string? Format { get; init; }

    /// <summary>A money amount in the currency named by this sibling input/field: at most that currency's decimals.</summary>
    public string? CurrencyInput { get; init; }

    /// <summary>A boolean expression over <c>value</c> and the instance's variables, with the message shown when false.</summary>
    public ValueValidation? Validation { get; init; }
}

public sealed record ValueValidation(string Expression, string? Message = null);

public sealed record InputDefinition(string Name, string Type = "any", bool Required = false, string? Description = null) : ValueSpec
{
    /// <summary><c>caller</c> (default) or <c>domain</c>: only a domain route (e.g. POST /api/wd-requests) may supply it.</summary>
    public string? Source { get; init; }

    [JsonIgnore]
    public bool IsDomainComputed => string.Equals(Source, "domain", StringComparison.Ordinal);
}

/// <summary>One field of a user-task action's form (ADR 7). Only declared fields are accepted with the action.</summary>
public sealed record FormField(string Name, string Type = "string", bool Required = false) : ValueSpec
{
    public string? Label { get; init; }
    public string? Description { get; init; }

    /// <summary>The variable the value is written to; by default the variable of the field's name, when declared.</summary>
    public string? Variable { get; init; }
}

/// <summary>Who may start a definition (ADR 7).</summary>
public sealed record StartContract
{
    /// <summary>People holding any of these rights may start it.</summary>
    public IReadOnlyList<string> Rights { get; init; } = [];

    /// <summary>Systems holding any of these scopes may start it; null means <c>start:&lt;id&gt;</c>.</summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>The only route that may start it (e.g. <c>POST /api/wd-requests</c>); the generic start route refuses it.</summary>
    public string? Via { get; init; }
}

/// <summary>How instances of a definition end early (ADR 16).</summary>
public sealed record CancelContract
{
    /// <summary>
    /// The only way its instances end early (e.g. the task actions that check status and rights); the generic
    /// instance cancel route refuses them with a 403 naming it.
    /// </summary>
    public string? Via { get; init; }
}

/// <summary>
/// Starts an instance of the published version on an event (<see cref="Event"/>, <see cref="Correlation"/> an expression
/// over <c>event</c>, the payload, giving the instance's correlation id) or on a Quartz cron schedule (<see cref="Cron"/>
/// in <see cref="TimeZone"/>, UTC by default). <see cref="Input"/> maps start inputs to expressions over <c>event</c>
/// (event triggers) or <c>tick</c> (the cron tick's due time). The starter is the system actor <c>trigger:event</c> or
/// <c>trigger:cron</c> (ADR 9).
/// </summary>
public sealed record StartTrigger
{
    /// <summary>Names the trigger (its schedule row follows it across versions); default <c>event:&lt;name&gt;</c> or <c>cron:&lt;index&gt;</c>.</summary>
    public string? Id { get; init; }
    public string? Event { get; init; }
    public string? Correlation { get; init; }
    public string? Cron { get; init; }
    public string? TimeZone { get; init; }
    public IReadOnlyDictionary<string, string>? Input { get; init; }

    public string KeyAt(int index) => Id ?? (Event is not null ? $"event:{Event}" : $"cron:{index}");
}

/// <summary>Who may read a definition's instances, journals and tasks: a caller holding any of these (ADR 7).</summary>
public sealed record ReadPolicy
{
    public IReadOnlyList<string> Permissions { get; init; } = [];
    public IReadOnlyList<string> Rights { get; init; } = [];
    public IReadOnlyList<string> Departments { get; init; } = [];
    public IReadOnlyList<string> Scopes { get; init; } = [];
}

public sealed record ActivityDefinition
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public string? DisplayName { get; init; }
    public JsonObject Inputs { get; init; } = [];
    public Position? Position { get; init; }
}

public sealed record Position(decimal X, decimal Y);

public sealed record ConnectionDefinition(string Source, string Outcome, string Target);

/// <summary>A flow-level event that interrupts whatever the instance waits for and moves it to <see cref="Target"/>.</summary>
/// <param name="Via">
/// The only route that may fire it (e.g. <c>POST /api/wd-requests/{id}/client-cancel</c>), as <see cref="StartContract.Via"/>
/// for starts: the generic events route refuses it, because only the domain route checks what the interrupt needs (ADR 7).
/// </param>
public sealed record InterruptDefinition(string Event, string Target, string? DisplayName = null, string? Condition = null, string? Via = null);

public static class DefinitionJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    public static WorkflowDefinition Parse(string json) =>
        JsonSerializer.Deserialize<WorkflowDefinition>(json, Options)
        ?? throw new JsonException("The definition is empty.");

    public static string Serialize(WorkflowDefinition definition) => JsonSerializer.Serialize(definition, Options);
}
