using System.Globalization;
using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;

namespace ApprovalEngine.Server.Features.WdRequests;

/// <summary>The CRM withdrawal requests (WD) surface of the HTTP contract; one file per use case.</summary>
public static class WdRequestsApi
{
    public static IServiceCollection AddWdRequests(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton(ReadSettings(config));
        services.AddScoped<IStepObserver, WdProjection>();
        services.AddScoped<WdCards>();
        services.AddSingleton<IActionFacts, WdActionFacts>();
        return services;
    }

    public static void MapWdRequestsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/wd-requests").WithTags("WD requests");
        group.MapPost("/", CreateWdRequest.Handle).WithName("createWdRequest").WithSummary("Create a WD request (a client's withdrawal)");
        group.MapGet("/", QueryWdRequests.Handle).WithName("listWdRequests").WithSummary("List WD requests");
        group.MapGet("/export.csv", ExportWdRequests.Handle).WithName("exportWdRequests").WithSummary("Export WD requests as CSV");
        group.MapPost("/mass-edit", MassEditWdRequests.Handle).WithName("massEditWdRequests").WithSummary("Change many WD requests at once");
        group.MapGet("/{id}", GetWdRequest.Handle).WithName("getWdRequest").WithSummary("Get a WD request with the actions it offers");
        group.MapPost("/{id}/actions", TakeWdAction.Handle).WithName("takeWdAction").WithSummary("Take an action on a WD request (request documents, pass, approve, reject)");
        group.MapGet("/{id}/audit-log", WdAuditLog.Handle).WithName("getWdAuditLog").WithSummary("Read the audit log of a WD request");
        group.MapPost("/{id}/transactions", WdTransactionsEndpoints.Add).RequireAuthorization(Policies.People).WithName("addWdTransaction").WithSummary("Add a payout transaction to a WD request");
        group.MapPut("/{id}/transactions/{txId}", WdTransactionsEndpoints.Edit).RequireAuthorization(Policies.People).WithName("editWdTransaction").WithSummary("Change a payout transaction of a WD request");
        group.MapDelete("/{id}/transactions/{txId}", WdTransactionsEndpoints.Delete).RequireAuthorization(Policies.People).WithName("deleteWdTransaction").WithSummary("Remove a payout transaction from a WD request");
        group.MapPost("/{id}/comments", AddWdComment.Handle).WithName("addWdComment").WithSummary("Comment on a WD request");
        group.MapPost("/{id}/client-cancel", ClientCancelWdRequest.Handle).WithName("cancelWdRequestForClient").WithSummary("Cancel a WD request at the client's wish");
    }

    /// <summary>WithdrawalRequest:MinimumLevelGeneral (percent) and WithdrawalRequest:AmountVariant (FreeMargin or EquityMinusCredit).</summary>
    public static WdSettings ReadSettings(IConfiguration config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var section = config.GetSection("WithdrawalRequest");
        var level = section["MinimumLevelGeneral"] is { Length: > 0 } text
            ? decimal.TryParse(text, NumberStyles.Number, CultureInfo.InvariantCulture, out var l) && l >= 0 ? l : throw new InvalidOperationException($"WithdrawalRequest:MinimumLevelGeneral '{text}' is not a number ≥ 0.")
            : WdSettings.Default.MinimumLevelGeneral;
        var formula = section["AmountVariant"] switch
        {
            null or "" or "FreeMargin" or "Margin" => WdAmountFormula.Margin,
            "EquityMinusCredit" => WdAmountFormula.EquityMinusCredit,
            var other => throw new InvalidOperationException($"WithdrawalRequest:AmountVariant '{other}' must be FreeMargin or EquityMinusCredit."),
        };
        return new WdSettings(formula, level);
    }

    /// <summary>People with any WD permission or right, and systems the read policy of wd-request admits (ADR 7), may read WD requests.</summary>
    public static async Task RequireReaderAsync(HttpContext http, CancellationToken ct)
    {
        var user = http.User;
        if (user.IsSystem())
        {
            var services = http.RequestServices;
            await services.GetRequiredService<ReadAccess>().EnsureCanReadAsync(services.GetRequiredService<ApprovalDbContext>(), user, WdVariables.DefinitionId, ct);
            return;
        }
        if (user.AllDepartments()) return;
        if (user.FindAll(ClaimNames.Permission).Any(c => c.Value.StartsWith("wd:", StringComparison.Ordinal))) return;
        if (user.FindAll(ClaimNames.Right).Any(c => c.Value.StartsWith("wd:", StringComparison.Ordinal))) return;
        throw ApiProblemException.Forbidden("WD requests are for users with WD permissions.");
    }

    public static bool HasPermission(HttpContext http, string permission) => http.User.HasClaim(ClaimNames.Permission, permission);
}
