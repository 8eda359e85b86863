using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ApprovalEngine.Server.Identity;

/// <summary>The sign-in rate limit per client address (ASP.NET Core's rate limiter middleware) and its 429 answer.</summary>
public static class SignInRateLimit
{
    public const string PolicyName = "sign-in";

    public static IServiceCollection AddSignInRateLimit(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<SignInOptions>(config.GetSection("Auth:SignIn"));
        services.AddSingleton<SignInGuard>();
        services.AddRateLimiter(o =>
        {
            o.AddPolicy(PolicyName, http =>
            {
                var options = http.RequestServices.GetRequiredService<IOptions<SignInOptions>>().Value;
                // Behind a proxy this is the proxy's address unless forwarded headers are configured.
                var address = http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = Math.Max(1, options.PermitsPerAddress),
                    Window = TimeSpan.FromSeconds(Math.Max(1, options.WindowSeconds)),
                    QueueLimit = 0,
                });
            });
            o.OnRejected = async (context, ct) =>
            {
                var wait = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromSeconds(60);
                await TooMany(context.HttpContext, wait, "Too many sign-in attempts from this address; try again later.").ExecuteAsync(context.HttpContext);
            };
        });
        return services;
    }

    /// <summary>429 with <c>Retry-After</c> in whole seconds (at least 1).</summary>
    public static ProblemHttpResult TooMany(HttpContext http, TimeSpan wait, string detail)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: 429, title: "Too many requests.", detail: detail,
            extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["username"] = [detail] }, ["retryAfterSeconds"] = seconds });
    }
}
