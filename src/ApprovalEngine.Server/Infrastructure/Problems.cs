using System.Text.Json;
using System.Text.RegularExpressions;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace ApprovalEngine.Server.Infrastructure;

/// <summary>An error a client can fix, reported as RFC 9457 problem details naming the fields.</summary>
public sealed class ApiProblemException(int status, string title, IReadOnlyDictionary<string, string[]>? errors = null, string? detail = null) : Exception(title)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public string? Detail { get; } = detail;
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors ?? new Dictionary<string, string[]>();

    /// <summary>Further members of the problem (RFC 9457 extensions), e.g. who changed a task since the caller read it.</summary>
    public IReadOnlyDictionary<string, object?> Extensions { get; init; } = new Dictionary<string, object?>();

    public static ApiProblemException BadRequest(string field, string message) => new(400, "The request is malformed.", new Dictionary<string, string[]> { [field] = [message] }, message);

    public static ApiProblemException Invalid(string field, string message) => new(422, "The request is invalid.", new Dictionary<string, string[]> { [field] = [message] }, message);

    public static ApiProblemException Invalid(IReadOnlyDictionary<string, string[]> errors, string? detail = null) => new(422, "The request is invalid.", errors, detail ?? errors.Values.SelectMany(v => v).FirstOrDefault());

    public static ApiProblemException NotFound(string what) => new(404, "Not found.", null, what);

    public static ApiProblemException Forbidden(string why) => new(403, "Not permitted.", null, why);

    public static ApiProblemException Conflict(string why) => new(409, "Not available in the current state.", null, why);
}

/// <summary>Turns every exception a client can cause into problem details; anything else is a logged 500.</summary>
public sealed partial class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var http = httpContext;
        if (DatabaseOutage.IsOutage(exception))
        {
            // Not the client's fault and not a bug: the database is unreachable. Say when to come back instead of a 500.
            logger.LogWarning(exception, "Database unavailable on {Path}", http.Request.Path);
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            http.Response.Headers.RetryAfter = DatabaseOutage.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var unavailable = new ProblemDetails
            {
                Status = 503, Title = "The service is temporarily unavailable.", Type = "https://httpstatuses.io/503",
                Detail = $"The database cannot be reached; retry in {DatabaseOutage.RetryAfterSeconds} seconds.",
            };
            unavailable.Extensions["errors"] = new Dictionary<string, string[]>();
            return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = unavailable, Exception = exception });
        }
        var (status, title, detail, errors) = exception switch
        {
            ApiProblemException p => (p.Status, p.Title, p.Detail, p.Errors),
            StepLimitExceededException l => (422, "A cap on the work of one request was exceeded.", l.Message, new Dictionary<string, string[]> { [l.Limit] = [l.Message] }),
            WorkflowValidationException v => (422, "The request is invalid.", v.Message, v.Errors),
            WorkflowNotFoundException n => (404, "Not found.", n.Message, null),
            WorkflowForbiddenException f => (403, "Not permitted.", f.Message, null),
            WorkflowConflictException c => (409, c.Stale ? "The data changed underneath." : "Not available in the current state.", c.Message, null),
            BadHttpRequestException b => (b.StatusCode, "The request is malformed.", Describe(b), FieldOf(b)),
            // An outside service (trading platform, bank) gave no usable answer after the adapter's retries: not the
            // client's fault and not a bug; the same request can succeed once it answers.
            HttpRequestException h => (503, "An outside service is unavailable.", h.Message, null),
            JsonException j => (400, "The request is malformed.", $"Malformed JSON: {j.Message}", JsonField(j)),
            _ => (500, "Unexpected error.", "An unexpected error occurred; it has been logged.", (IReadOnlyDictionary<string, string[]>?)null),
        };
        if (status >= 500) logger.LogError(exception, "Unhandled error on {Path}", http.Request.Path);
        http.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail, Type = $"https://httpstatuses.io/{status}" };
        problem.Extensions["errors"] = errors ?? new Dictionary<string, string[]>();
        if (exception is ApiProblemException { Extensions.Count: > 0 } withExtensions)
        {
            foreach (var (key, value) in withExtensions.Extensions) problem.Extensions[key] = value;
        }
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    private static string Describe(BadHttpRequestException b) => b.InnerException is JsonException j ? $"Malformed JSON: {j.Message}" : b.Message;

    private static IReadOnlyDictionary<string, string[]>? FieldOf(BadHttpRequestException b)
    {
        if (b.InnerException is JsonException j) return JsonField(j);
        // Minimal API binding failures name the parameter only in the message, e.g.
        // Failed to bind parameter "Nullable<int> page" from "abc". → errors.page
        if (BoundParameter().Match(b.Message) is { Success: true } m)
        {
            var name = m.Groups["name"].Value;
            var value = m.Groups["value"].Success ? $" ({m.Groups["value"].Value})" : "";
            return new Dictionary<string, string[]> { [name] = [$"'{name}' has an invalid value{value}."] };
        }
        return b.StatusCode switch
        {
            StatusCodes.Status415UnsupportedMediaType => new Dictionary<string, string[]> { ["Content-Type"] = ["Send the body as application/json."] },
            StatusCodes.Status413PayloadTooLarge => new Dictionary<string, string[]> { ["body"] = ["The body is too large."] },
            _ => new Dictionary<string, string[]> { ["request"] = [b.Message] },
        };
    }

    [GeneratedRegex(""""parameter "(?:[^"]*\s)?(?<name>[A-Za-z_][A-Za-z0-9_]*)"(?: from "(?<value>[^"]{0,100})")?"""", RegexOptions.CultureInvariant)]
    private static partial Regex BoundParameter();

    private static Dictionary<string, string[]> JsonField(JsonException j)
    {
        var path = string.IsNullOrEmpty(j.Path) || j.Path == "$" ? "body" : j.Path.TrimStart('$', '.');
        return new Dictionary<string, string[]> { [path] = [j.Message.Split(" Path:", 2)[0]] };
    }
}

/// <summary>Recognises a database that is down or unreachable (as opposed to a query the database refused).</summary>
public static class DatabaseOutage
{
    public const int RetryAfterSeconds = 5;

    public static bool IsOutage(Exception? exception)
    {
        for (var depth = 0; exception is not null && depth < 16; depth++)
        {
            switch (exception)
            {
                // Connection lost, server shutting down or not accepting connections, too many connections.
                case Npgsql.PostgresException pg:
                    return pg.SqlState.StartsWith("08", StringComparison.Ordinal) || pg.SqlState.StartsWith("57P", StringComparison.Ordinal) || pg.SqlState == "53300";
                case Npgsql.NpgsqlException npgsql when npgsql.IsTransient || npgsql.InnerException is System.Net.Sockets.SocketException or TimeoutException or IOException:
                    return true;
                case System.Net.Sockets.SocketException:
                case TimeoutException:
                    return true;
                case AggregateException aggregate when aggregate.InnerExceptions.Any(IsOutage):
                    return true;
            }
            exception = exception.InnerException;
        }
        return false;
    }
}
