namespace ApprovalEngine.Server.Infrastructure;

/// <summary>
/// Headers on every answer (API, designer, /docs, problems) that a browser-facing approval service needs whatever sits
/// in front of it: the app may not be framed by another site (an approve button under a decoy page is clickjacking),
/// answers are never content-sniffed into scripts, and no address (with ids or a sign-in code in it) leaks to other
/// sites as a referrer. A full script CSP is left out on purpose: the designer's editor and /docs inject styles, and
/// a policy that breaks them would be switched off in practice.
/// </summary>
public static class SecurityHeaders
{
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers.ContentSecurityPolicy = "frame-ancestors 'none'";
        headers["Referrer-Policy"] = "same-origin";
        await next(context);
    });
}
