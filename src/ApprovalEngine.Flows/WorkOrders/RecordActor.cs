using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Flows.WorkOrders;

public sealed class RecordActorInput
{
    [Description("Optional label for readers of the definition, e.g. 'first checker'.")]
    public string? Role { get; set; }
}

public sealed record RecordActorOutput(
    [property: Description("User id of whoever caused this step (the person who completed the task just before).")] string UserId,
    [property: Description("When.")] DateTimeOffset At);

/// <summary>
/// Writes the user who caused the current step (e.g. the checker who just approved) into a variable, so that later
/// guards can compare against it (four eyes). Map the output with <c>outputs: [{ name: "userId", value: "firstChecker" }]</c>.
/// Place it directly after the task whose actor it records: the step's actor is the person who completed that task.
/// </summary>
[Activity("RecordActor", "Work orders", "Record actor",
    Description = "Stores the user id of the person who completed the previous task (for maker–checker guards).")]
public sealed class RecordActor : DomainActivity<RecordActorInput, RecordActorOutput>
{
    public const string TypeName = "RecordActor";

    protected override DomainResult<RecordActorOutput> Run(RecordActorInput input, ActivityContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return DomainResult<RecordActorOutput>.Done(new RecordActorOutput(context.Actor.UserId, context.Now));
    }
}
