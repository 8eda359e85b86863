namespace ApprovalEngine.Server.Infrastructure;

/// <summary>
/// Reads a JSON body that a client may leave out entirely. A bound body parameter would make endpoint selection refuse
/// a POST without a Content-Type (a 404 from the fallback), which breaks callers of routes that never had a body,
/// e.g. <c>POST /api/definitions/{id}/publish</c>.
/// </summary>
public static class OptionalJsonBody
{
    public static async Task<T?> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        if (request.ContentLength == 0 || (request.ContentLength is null && string.IsNullOrEmpty(request.ContentType))) return null;
        if (!request.HasJsonContentType())
        {
            throw new ApiProblemException(415, "Unsupported media type.", new Dictionary<string, string[]> { ["Content-Type"] = [$"The API reads application/json bodies, not {request.ContentType}."] },
                "Send the body as application/json.");
        }
        return await request.ReadFromJsonAsync<T>(cancellationToken);
    }
}
