namespace ApprovalEngine.Workflows.Runtime;

/// <summary>Base of the engine's refusals. The host maps each kind to one HTTP status; none of them means a bug.</summary>
public abstract class WorkflowException(string message) : Exception(message);

/// <summary>The thing asked for does not exist (404).</summary>
public sealed class WorkflowNotFoundException(string message) : WorkflowException(message);

/// <summary>The caller may not do this (403).</summary>
public sealed class WorkflowForbiddenException(string message) : WorkflowException(message);

/// <summary>Not available in the current state, or the state changed underneath (409).</summary>
public sealed class WorkflowConflictException(string message, bool stale = false) : WorkflowException(message)
{
    public bool Stale { get; } = stale;
}

/// <summary>Well-formed but invalid input (422), with messages per field.</summary>
public sealed class WorkflowValidationException(string message, IReadOnlyDictionary<string, string[]> errors) : WorkflowException(message)
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    public static WorkflowValidationException For(string field, string message) =>
        new(message, new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>
/// A step went past a cap of its <see cref="StepBudget"/> (dry runs): not a fault of the instance but a refusal of the
/// request, naming the cap (422).
/// </summary>
public sealed class StepLimitExceededException(string limit, string message) : WorkflowException(message)
{
    /// <summary>The cap's name, e.g. maxSteps, maxStringLength, maxCollectionSize, maxStateBytes, maxWallTimeMs.</summary>
    public string Limit { get; } = limit;
}
