using System.Text.Json.Serialization;
using ApprovalEngine.Persistence;
using ApprovalEngine.Scheduling;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Features.Activities;
using ApprovalEngine.Server.Features.Auth;
using ApprovalEngine.Server.Features.Definitions;
using ApprovalEngine.Server.Features.DryRun;
using ApprovalEngine.Server.Features.Events;
using ApprovalEngine.Server.Features.Expressions;
using ApprovalEngine.Server.Features.Crypto;
using ApprovalEngine.Server.Features.Fiat;
using ApprovalEngine.Server.Features.Health;
using ApprovalEngine.Server.Features.Incidents;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Features.Migrations;
using ApprovalEngine.Server.Features.Sandbox;
using ApprovalEngine.Server.Features.Staff;
using ApprovalEngine.Server.Features.Tasks;
using ApprovalEngine.Server.Features.WdRequests;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Hosting;
using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Validation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.IdentityModel.Tokens;
using Scalar.AspNetCore;

namespace ApprovalEngine.Server;

/// <summary>Registers a domain's activities (e.g. the WD flow's) into the registry.</summary>
public interface IActivityModule
{
    void Register(ActivityRegistry registry, IServiceProvider services);

    /// <summary>
    /// Definitions the domain owns → the route that starts them (e.g. <c>wd-request</c> → <c>POST /api/wd-requests</c>).
    /// The generic start route refuses them whatever version is published, including versions stored before <c>start.via</c>.
    /// </summary>
    IReadOnlyDictionary<string, string> OwnedDefinitions => new Dictionary<string, string>();

    /// <summary>
    /// The interrupts of the owned definitions → the domain route that fires them (e.g. <c>ClientCancel</c> →
    /// <c>POST /api/wd-requests/{id}/client-cancel</c>). The generic events route fires no interrupt of an owned
    /// definition, marked with <c>via</c> or not; this only names the route to use in its refusal.
    /// </summary>
    IReadOnlyDictionary<string, string> InterruptRoutes => new Dictionary<string, string>();
}

public static class ServerSetup
{
    public static WebApplicationBuilder AddApprovalEngine(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var config = builder.Configuration;
        var isDevelopment = builder.Environment.IsDevelopment();
        var provider = Enum.TryParse<DatabaseProvider>(config["Database:Provider"], ignoreCase: true, out var p) ? p : DatabaseProvider.Sqlite;
        var connectionString = config.GetConnectionString("ApprovalEngine") ?? "Data Source=approval-engine.db;Default Timeout=30";

        services.AddSingleton(TimeProvider.System);
        // Pooled: a context per query scope cost ~68 KB and its service wiring; reset and reused instead.
        services.AddDbContextPool<ApprovalDbContext>(o => ApprovalDbContext.Configure(o, provider, connectionString));
        services.AddSingleton<DefinitionCache>();
        services.AddSingleton(sp =>
        {
            var registry = ActivityRegistry.CreateDefault(sp.GetRequiredService<ICronSchedule>());
            foreach (var module in sp.GetServices<IActivityModule>()) module.Register(registry, sp);
            return registry;
        });
        services.AddSingleton(sp => new WorkflowValidator(sp.GetRequiredService<ActivityRegistry>()));
        services.AddSingleton(sp => new WorkflowEngine(sp.GetRequiredService<ActivityRegistry>(), sp.GetRequiredService<TimeProvider>(), new EngineOptions
        {
            DueTimeOverride = SlaSettings.From(config.GetSection("Sla")),
        }));
        services.AddSingleton(sp => new WorkflowCoordinator(sp.GetRequiredService<WorkflowEngine>()));
        services.AddEngineHost(config.GetSection("Engine"));
        services.AddSingleton<DefinitionService>();
        services.AddSingleton<ReadAccess>();
        services.AddSingleton<PublishingService>();
        services.AddSingleton<ActionFactsReader>();
        // Ledger, bank and custody: the sandboxes in Adapters:Mode=Sandbox (Development), adapters chosen by name in Real.
        services.AddAdapters(config);
        services.AddSingleton<IActivityModule, Features.WdRequests.WdModule>();
        services.AddSingleton<IActivityModule, Features.WorkOrders.WorkOrderModule>();
        services.AddSingleton<StartPolicy>();
        services.AddSingleton<Features.Events.InterruptPolicy>();
        services.AddSingleton<InstanceStarter>();
        services.AddSingleton<EventDispatcher>();
        services.AddSingleton<Features.Triggers.TriggerStarter>();
        services.AddSingleton<Features.Triggers.CronTriggerPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<Features.Triggers.CronTriggerPoller>());
        services.AddWdRequests(config);
        services.AddFiat(provider, connectionString);
        services.AddCrypto(provider, connectionString);
        Features.Hooks.SignedHook.AddSignedHooks(services);
        Features.Crypto.Custody.CustodyHooksApi.AddCustodyHooks(services);
        Features.Webhooks.WebhooksSetup.AddWebhooks(services, config);
        services.AddStaffAccounts(config, provider, connectionString);
        services.AddWorkflowScheduling(provider == DatabaseProvider.Postgres, connectionString, TimeProvider.System, config["Engine:SchedulerName"] ?? "approval-engine");

        // Identities: configuration always; the development users and key only in Development.
        services.Configure<Identity.IdentityOptions>(config.GetSection("Identities"));
        services.PostConfigure<Identity.IdentityOptions>(o =>
        {
            if (!isDevelopment) return;
            o.DevelopmentPasswords = true;
            o.Users.AddRange(DevelopmentIdentities.Users.Where(u => o.Users.All(x => x.Username != u.Username)));
            o.ApiKeys.AddRange(DevelopmentIdentities.ApiKeys.Where(k => o.ApiKeys.All(x => x.Key != k.Key)));
        });
        services.Configure<AuthOptions>(config.GetSection("Auth"));
        services.Configure<OidcOptions>(config.GetSection("Auth:Oidc"));
        services.AddSingleton<TokenService>();
        services.AddSingleton<IPasswordHasher<UserAccount>, PasswordHasher<UserAccount>>();
        services.AddSignInRateLimit(config);
        var auth = config.GetSection("Auth").Get<AuthOptions>() ?? new AuthOptions();
        services.AddAuthentication("Smart")
            // An API key, else a bearer token: ours or, by its issuer, the company's identity provider's (ADR 21).
            .AddPolicyScheme("Smart", "API key or bearer token", o => o.ForwardDefaultSelector = http =>
                http.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName) ? ApiKeyAuthenticationHandler.SchemeName : OidcSignIn.BearerSchemeFor(http))
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer(o =>
            {
                o.MapInboundClaims = false;
                o.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.Issuer,
                    ValidAudience = auth.Issuer,
                    IssuerSigningKey = auth.HasUsableKey ? auth.Key() : null,
                    NameClaimType = ClaimNames.Name,
                    RoleClaimType = ClaimNames.Role,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                o.Events = new JwtBearerEvents { OnTokenValidated = StaffSignIn.RefuseDisabledAsync, OnChallenge = StaffSignIn.ExplainDisabledAsync };
            })
            .AddJwtBearer(OidcSignIn.SchemeName, _ => { });
        // From the options (not the configuration read above), so that the provider's settings are read when the scheme is first used.
        services.AddOptions<JwtBearerOptions>(OidcSignIn.SchemeName)
            .Configure<Microsoft.Extensions.Options.IOptions<OidcOptions>>((o, oidc) => OidcSignIn.Configure(o, oidc.Value, isDevelopment))
            // After JwtBearer's own post-configuration, which creates the configuration manager.
            .PostConfigure(OidcSignIn.AfterSetup);
        services.AddAuthorization(Policies.Add);

        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
            o.SerializerOptions.MaxDepth = 64;
        });
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<FormOptions>(o => o.MultipartBodyLengthLimit = 1024 * 1024);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 1024 * 1024);
        services.AddApiDocument();
        DesignerHosting.AddWebAppCompression(services);
        services.AddHealthChecks()
            .AddDbContextCheck<ApprovalDbContext>("database")
            .AddCheck<SchedulerHealthCheck>("scheduler");
        builder.AddTelemetry();
        return builder;
    }

    /// <summary>
    /// No endpoint took the request. Routes that read a JSON body reject other content types during endpoint selection,
    /// which lands here too: answer 415 for those instead of a misleading 404.
    /// </summary>
    private static IResult NoRoute(HttpContext http)
    {
        var errors = new Dictionary<string, object?>();
        if (http.Request.ContentType is { Length: > 0 } type && !http.Request.HasJsonContentType())
        {
            errors["errors"] = new Dictionary<string, string[]> { ["Content-Type"] = [$"The API reads application/json bodies, not {type}."] };
            return Results.Problem(statusCode: 415, title: "Unsupported media type.", detail: "Send the body as application/json.", extensions: errors);
        }
        errors["errors"] = new Dictionary<string, string[]>();
        return Results.Problem(statusCode: 404, title: "Not found.", detail: "No such API route.", extensions: errors);
    }

    public static async Task<WebApplication> UseApprovalEngineAsync(this WebApplication app)
    {
        // Before anything touches the database or serves: a server missing a setting it needs must not start at all.
        StartupChecks.Enforce(app);
        await StartupTasks.RunAsync(app);
        // First, so that problems, static files and redirects carry them too.
        app.UseSecurityHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        DesignerHosting.UseStaticFiles(app);
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<RequestGuard>();
        app.UseMiddleware<UnboundParameter>();
        app.UseRateLimiter();
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        // The API reference for people writing integrations, reading the same document; its script comes from the
        // package (no CDN, no web fonts), so it works on a network without internet.
        app.MapScalarApiReference("/docs", o => o
            .WithTitle("ApprovalEngine API")
            .WithOpenApiRoutePattern("/openapi/{documentName}.json")
            .DisableDefaultFonts()
            .AddPreferredSecuritySchemes(ApiDocument.BearerScheme)).AllowAnonymous();
        app.MapHealthApi();
        app.MapAuthApi();
        app.MapActivitiesApi();
        app.MapDefinitionsApi();
        app.MapPublishingApi();
        app.MapInstanceMigrationsApi();
        app.MapImpactApi();
        app.MapInstancesApi();
        app.MapTasksApi();
        app.MapEventsApi();
        Features.Hooks.BankHooksApi.MapBankHooksApi(app);
        app.MapIncidentsApi();
        app.MapWdRequestsApi();
        app.MapFiatApi();
        app.MapCryptoApi();
        app.MapStaffApi();
        app.MapExpressionsApi();
        app.MapDryRunApi();
        Features.Webhooks.WebhooksApi.MapWebhooksApi(app);
        Features.Crypto.Records.CryptoRecordsApi.MapCryptoRecordsApi(app);
        // Signed webhooks from outside systems; each answers 404 unless its adapter is configured (Real mode).
        Features.Crypto.Custody.CustodyHooksApi.MapCustodyHooksApi(app);
        // Start-up refuses Sandbox mode outside Development, so these routes exist only there.
        if (app.Services.GetRequiredService<AdapterBinder>().Mode == AdapterMode.Sandbox && app.Environment.IsDevelopment())
        {
            app.MapSandboxApi();
            app.MapWalletSandboxApi();
            Features.Crypto.Sandbox.ChainSandboxApi.MapChainSandboxApi(app);
        }
        app.MapTelemetry();
        // A fallback (last in order) for unknown API routes. Not MapFallback(pattern, handler): the request delegate
        // generator (ADR 0024) replaces that call's pattern with "{*path:nonfile}", which would catch every page path.
        // RoutePermissionTableTests lists the mapped patterns and notices such a change.
        app.Map("/api/{**path}", NoRoute).AllowAnonymous().Add(e => ((RouteEndpointBuilder)e).Order = int.MaxValue);
        DesignerHosting.Map(app);
        return app;
    }
}
