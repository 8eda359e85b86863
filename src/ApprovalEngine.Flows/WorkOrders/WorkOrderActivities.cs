using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.WorkOrders;

/// <summary>Registers the work-order activities used by workflows/work-order-approval.json (and the flows that record makers).</summary>
public static class WorkOrderActivities
{
    public static ActivityRegistry Register(ActivityRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.Register(new RecordActor());
    }
}
