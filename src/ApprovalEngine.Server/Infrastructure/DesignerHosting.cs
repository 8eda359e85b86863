using ApprovalEngine.Server.Engine;
using Microsoft.Extensions.FileProviders;

namespace ApprovalEngine.Server.Infrastructure;

/// <summary>Serves the built designer/inbox single-page app (designer/dist) at /designer and /inbox.</summary>
public static class DesignerHosting
{
    private static string? Dist(WebApplication app) =>
        RepositoryPaths.Find(app.Configuration["Designer:Path"], app.Environment.ContentRootPath, Path.Combine("designer", "dist"));

    /// <summary>
    /// The built files (/assets/*) are public: this runs before authentication and authorization, whose fallback policy
    /// (an authenticated user) would otherwise answer 401 to the browser loading the app's scripts.
    /// </summary>
    public static void UseStaticFiles(WebApplication app)
    {
        var dist = Dist(app);
        if (dist is null || !File.Exists(Path.Combine(dist, "index.html"))) return;
        // Compressed on the way out (Brotli, else gzip) for the web app only: API answers carry tokens and caller data,
        // which compression next to attacker-chosen text would expose (BREACH).
        app.UseWhen(IsWebApp, branch => branch.UseResponseCompression());
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(dist),
            OnPrepareResponse = file => file.Context.Response.Headers.CacheControl = IsHashedAsset(file.Context.Request.Path) ? Immutable : NoCache,
        });
    }

    private const string Immutable = "public, max-age=31536000, immutable";
    private const string NoCache = "no-cache";

    /// <summary>Vite writes the built scripts and styles to /assets/ with a content hash in the name: a new build is a new URL.</summary>
    private static bool IsHashedAsset(PathString path) => path.StartsWithSegments("/assets", StringComparison.OrdinalIgnoreCase);

    private static bool IsWebApp(HttpContext http)
    {
        var path = http.Request.Path;
        return !path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) && !path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase);
    }

    public static void AddWebAppCompression(IServiceCollection services)
    {
        services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true;
            o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProvider>();
            o.Providers.Add<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProvider>();
            o.MimeTypes = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json", "image/svg+xml", "text/plain", "application/manifest+json"];
        });
        services.Configure<Microsoft.AspNetCore.ResponseCompression.BrotliCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);
        services.Configure<Microsoft.AspNetCore.ResponseCompression.GzipCompressionProviderOptions>(o => o.Level = System.IO.Compression.CompressionLevel.Fastest);
    }

    public static void Map(WebApplication app)
    {
        var dist = Dist(app);
        app.MapGet("/", () => Results.Redirect("/inbox")).AllowAnonymous().ExcludeFromDescription();
        if (dist is null || !File.Exists(Path.Combine(dist, "index.html")))
        {
            const string hint = "<!doctype html><title>ApprovalEngine</title><p>The web app is not built. Run <code>cd designer &amp;&amp; npm ci &amp;&amp; npm run build</code>, then restart the server.</p>";
            app.MapGet("/designer/{**path}", () => Results.Content(hint, "text/html")).AllowAnonymous().ExcludeFromDescription();
            app.MapGet("/inbox/{**path}", () => Results.Content(hint, "text/html")).AllowAnonymous().ExcludeFromDescription();
            return;
        }
        var index = Path.Combine(dist, "index.html");
        // The page names the hashed bundles of the current build, so browsers must revalidate it every time.
        IResult Index(HttpContext http)
        {
            http.Response.Headers.CacheControl = NoCache;
            return Results.File(index, "text/html");
        }
        app.MapGet("/designer", Index).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/designer/{**path}", Index).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/inbox", Index).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/inbox/{**path}", Index).AllowAnonymous().ExcludeFromDescription();
    }
}
