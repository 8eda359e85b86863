using System.Text.Json.Serialization;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.Fiat.Activities;

public sealed class LoadFiatSettingsInput;

public sealed record LoadFiatSettingsOutput(
    [property: Description("Direct billing needs work-order approval (More settings).")] bool DirectBillingNeedsApproval,
    [property: Description("Work orders above this amount need a second checker (the threshold of the record's or batch's currency, else the default); null: one checker."), JsonIgnore(Condition = JsonIgnoreCondition.Never)] decimal? SecondApprovalThreshold);

/// <summary>Reads the stored "More settings" of the fiat configuration.</summary>
[Activity("LoadFiatSettings", "Fiat", "Load fiat settings", Description = "Whether direct billing needs work-order approval, and the work orders' second-approval threshold.")]
public sealed class LoadFiatSettings(IFiatConfigStore store) : ExternalActivity<LoadFiatSettingsInput, LoadFiatSettingsOutput>
{
    protected override async Task<DomainResult<LoadFiatSettingsOutput>> RunAsync(LoadFiatSettingsInput input, ExternalCallContext call, CancellationToken cancellationToken)
    {
        var settings = await store.LoadSettingsAsync(call.InstanceId, cancellationToken);
        return DomainResult<LoadFiatSettingsOutput>.Done(new LoadFiatSettingsOutput(settings.DirectBillingNeedsApproval, settings.SecondApprovalThreshold));
    }
}
