using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Validation;

namespace ApprovalEngine.Workflows.Activities;

/// <summary>
/// An activity type. Execute and Resume run inside a step: synchronous, deterministic, no I/O. Work against outside
/// systems belongs in <see cref="ExternalActivity{TInput,TOutput}"/>, which the engine runs after the commit.
/// </summary>
public interface IActivity
{
    ActivityDescriptor Descriptor { get; }

    ActivityResult Execute(ActivityContext context);

    /// <summary>Called when one of this activity's bookmarks is resumed.</summary>
    ActivityResult Resume(ActivityContext context, Bookmark bookmark, ResumeSignal signal) =>
        throw new InvalidOperationException($"{Descriptor.Type} does not suspend.");

    /// <summary>All outcomes this configured activity can produce (static plus those derived from its inputs).</summary>
    IReadOnlyList<string> GetOutcomes(ActivityDefinition activity) => Descriptor.Outcomes;

    /// <summary>Checks beyond the descriptor (expressions, structured inputs). Report with <paramref name="validation"/>.</summary>
    void Validate(ActivityDefinition activity, ActivityValidationContext validation)
    {
    }
}

/// <summary>What an activity decided.</summary>
public abstract record ActivityResult
{
    private ActivityResult()
    {
    }

    public static readonly ActivityResult Done = new Outcomes(["Done"]);

    public static ActivityResult Outcome(string outcome) => new Outcomes([outcome]);

    public static ActivityResult Many(IReadOnlyList<string> outcomes) => new Outcomes(outcomes);

    public static ActivityResult Suspend(params Bookmark[] bookmarks) => new Suspended(bookmarks);

    /// <summary>Follow <paramref name="outcome"/> and keep waiting on <paramref name="bookmark"/> (a repeating timer).</summary>
    public static ActivityResult OutcomeAndWait(string outcome, Bookmark bookmark) => new OutcomeAndSuspend(outcome, bookmark);

    /// <summary>This branch stops here without finishing the instance (e.g. a join still waiting).</summary>
    public static readonly ActivityResult Stop = new Stopped();

    public static ActivityResult Finish(string? businessStatus, string? outcome) => new Finished(businessStatus, outcome);

    public static ActivityResult Fail(string message) => new Faulted(message);

    public sealed record Outcomes(IReadOnlyList<string> Names) : ActivityResult;

    public sealed record Suspended(IReadOnlyList<Bookmark> Bookmarks) : ActivityResult;

    public sealed record Stopped : ActivityResult;

    public sealed record OutcomeAndSuspend(string Next, Bookmark Bookmark) : ActivityResult;

    public sealed record Finished(string? BusinessStatus, string? FinalOutcome) : ActivityResult;

    public sealed record Faulted(string Message) : ActivityResult;
}
