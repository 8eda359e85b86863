using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Server.Features.Fiat.Operations;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ApprovalEngine.Server.Features.Fiat;

/// <summary>Routes and services of the fiat operations (applications, direct billing, batches, exceptions, records, indicator cards).</summary>
internal static class FiatOperationsApi
{
    public static void AddServices(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<FiatNumbers>();
        services.AddSingleton<FiatInterrupts>();
        services.AddSingleton<FiatRecordEvents>();
        services.AddSingleton<Events.IEventRule, FiatBankResultRule>();
        // Consulted by the runner for every task completion, whatever route built it (ADR 17).
        services.AddSingleton<ApprovalEngine.Hosting.ITaskActionRule, FiatMoneyLeftRule>();
        services.AddSingleton<ApprovalEngine.Hosting.ITaskActionRule, FiatMakersRule>();
        services.AddSingleton<ApprovalEngine.Hosting.ITaskActionRule, FiatBatchedEditRule>();
        services.AddSingleton<Flows.Fiat.IFiatRepayments, FiatRepayments>();
        services.AddScoped<FiatRecords>();
        services.AddSingleton<FiatBatches>();
        services.AddSingleton<Flows.Fiat.IFiatBatchFiles, FiatBatchFiles>();
        services.AddSingleton<IStepObserver, FiatBatchProjection>();
        services.AddHostedService<FiatBatchPoller>();
    }

    public static void Map(RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var records = group.MapGroup("/withdrawals");
        // The record actions complete the record's task as the caller; the engine refuses a system per record, but a
        // bulk answer of 200 listing refusals is a side door in itself: systems (and other departments) stop here.
        records.MapPost("/", CreateFiatWithdrawal.Handle).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("createFiatWithdrawal").WithSummary("Create a fiat withdrawal record");
        records.MapGet("/", QueryFiatWithdrawals.List).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("listFiatWithdrawals").WithSummary("List fiat withdrawal records");
        records.MapGet("/export.csv", QueryFiatWithdrawals.Export).Produces<string>(200, "text/csv").ProducesProblems(400, 401, 403, 404, 409, 422).WithName("exportFiatWithdrawals").WithSummary("Export fiat withdrawal records as CSV");
        records.MapGet("/cards", QueryFiatWithdrawals.Cards).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("getFiatWithdrawalCards").WithSummary("Count and sum fiat withdrawals per status (the indicator cards)");
        records.MapPost("/submit", FiatRecordActions.Submit).RequireAuthorization(Policies.FiatOperator).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("submitFiatWithdrawals").WithSummary("Submit fiat withdrawals for payout");
        records.MapPost("/reject", FiatRecordActions.Reject).RequireAuthorization(Policies.FiatOperator).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("rejectFiatWithdrawals").WithSummary("Reject fiat withdrawals");
        records.MapPost("/exceptions/resolve", FiatRecordActions.Resolve).RequireAuthorization(Policies.FiatOperator).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("resolveFiatExceptions").WithSummary("Resolve fiat withdrawal exceptions (a second person reviews)");
        records.MapPost("/exceptions/review", FiatRecordActions.Review).RequireAuthorization(Policies.FiatOperator).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("reviewFiatExceptions").WithSummary("Approve or reject resolved fiat withdrawal exceptions");
        records.MapGet("/{id}", QueryFiatWithdrawals.Get).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("getFiatWithdrawal").WithSummary("Get a fiat withdrawal record");
        records.MapGet("/{id}/lifecycle", QueryFiatWithdrawals.Lifecycle).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("getFiatWithdrawalLifecycle").WithSummary("Read the lifecycle of a fiat withdrawal record");
        records.MapPost("/{id}/delete", FiatRecordActions.Delete).RequireAuthorization(Policies.FiatOperator).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("deleteFiatWithdrawal").WithSummary("Delete a fiat withdrawal record");
        records.MapPost("/{id}/edit", FiatRecordActions.Edit).RequireAuthorization(Policies.FiatOperator).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("editFiatWithdrawal").WithSummary("Change a fiat withdrawal record");
        records.MapPost("/{id}/direct-billing", FiatRecordActions.DirectBilling).RequireAuthorization(Policies.FiatOperator).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("directBillFiatWithdrawal").WithSummary("Pay a fiat withdrawal by direct billing");

        var batches = group.MapGroup("/batches");
        batches.MapPost("/", FiatBatchesApi.Pack).RequireAuthorization(Policies.People).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("packFiatBatch").WithSummary("Pack approved fiat withdrawals into a bank batch");
        batches.MapGet("/", FiatBatchesApi.List).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("listFiatBatches").WithSummary("List bank batches");
        batches.MapGet("/{id}", FiatBatchesApi.Get).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("getFiatBatch").WithSummary("Get a bank batch");
        batches.MapGet("/{id}/file", FiatBatchesApi.File).Produces<string>(200, "text/csv", "application/xml").ProducesProblems(400, 401, 403, 404, 409, 422).WithName("downloadFiatBatchFile").WithSummary("Download the payment file of a bank batch");
        batches.MapPost("/{id}/results", FiatBatchesApi.Results).RequireAuthorization(Policies.People).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("recordFiatBatchResults").WithSummary("Record the bank's results for a batch");
    }
}
