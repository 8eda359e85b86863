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
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new PhysicalFileProvider(dist) });
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
        IResult Index() => Results.File(index, "text/html");
        app.MapGet("/designer", Index).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/designer/{**path}", Index).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/inbox", Index).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/inbox/{**path}", Index).AllowAnonymous().ExcludeFromDescription();
    }
}
