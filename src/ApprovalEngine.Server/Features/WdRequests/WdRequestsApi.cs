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
        group.MapPost("/", CreateWdRequest.Handle);
        group.MapGet("/", QueryWdRequests.Handle);
        group.MapGet("/export.csv", ExportWdRequests.Handle);
        group.MapPost("/mass-edit", MassEditWdRequests.Handle);
        group.MapGet("/{id}", GetWdRequest.Handle);
        group.MapPost("/{id}/actions", TakeWdAction.Handle);
        group.MapGet("/{id}/audit-log", WdAuditLog.Handle);
        group.MapPost("/{id}/transactions", WdTransactionsEndpoints.Add);
        group.MapPut("/{id}/transactions/{txId}", WdTransactionsEndpoints.Edit);
        group.MapDelete("/{id}/transactions/{txId}", WdTransactionsEndpoints.Delete);
        group.MapPost("/{id}/comments", AddWdComment.Handle);
        group.MapPost("/{id}/client-cancel", ClientCancelWdRequest.Handle);
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
