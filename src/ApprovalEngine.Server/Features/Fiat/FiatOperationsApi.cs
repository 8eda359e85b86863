using ApprovalEngine.Persistence;
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
        services.AddSingleton<Flows.Fiat.IFiatRepayments, FiatRepayments>();
        services.AddScoped<FiatRecords>();
        services.AddSingleton<FiatBatches>();
        services.AddSingleton<Flows.Fiat.IFiatBatchFiles, FiatBatchFiles>();
        // Stand-in until the bank side's builders land (StandInBankFiles.cs, deleted at merge).
        services.TryAddSingleton<Bank.IFiatBankFiles, Bank.StandInBankFiles>();
        services.AddSingleton<IStepObserver, FiatBatchProjection>();
        services.AddHostedService<FiatBatchPoller>();
    }

    public static void Map(RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var records = group.MapGroup("/withdrawals");
        records.MapPost("/", CreateFiatWithdrawal.Handle);
        records.MapGet("/", QueryFiatWithdrawals.List);
        records.MapGet("/export.csv", QueryFiatWithdrawals.Export);
        records.MapGet("/cards", QueryFiatWithdrawals.Cards);
        records.MapPost("/submit", FiatRecordActions.Submit);
        records.MapPost("/reject", FiatRecordActions.Reject);
        records.MapPost("/exceptions/resolve", FiatRecordActions.Resolve);
        records.MapPost("/exceptions/review", FiatRecordActions.Review);
        records.MapGet("/{id}", QueryFiatWithdrawals.Get);
        records.MapGet("/{id}/lifecycle", QueryFiatWithdrawals.Lifecycle);
        records.MapPost("/{id}/delete", FiatRecordActions.Delete);
        records.MapPost("/{id}/edit", FiatRecordActions.Edit);
        records.MapPost("/{id}/direct-billing", FiatRecordActions.DirectBilling);

        var batches = group.MapGroup("/batches");
        batches.MapPost("/", FiatBatchesApi.Pack);
        batches.MapGet("/", FiatBatchesApi.List);
        batches.MapGet("/{id}", FiatBatchesApi.Get);
        batches.MapGet("/{id}/file", FiatBatchesApi.File);
        batches.MapPost("/{id}/results", FiatBatchesApi.Results);
    }
}
