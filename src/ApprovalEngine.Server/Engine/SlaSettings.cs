using System.Xml;

namespace ApprovalEngine.Server.Engine;

/// <summary>
/// SLA due times from configuration: <c>Sla:{definitionId}:{activityId or business status}</c> = ISO 8601 duration,
/// e.g. <c>Sla__wd-request__ApprovedByCS=PT2H</c>. An activity id wins over a status; unset keeps the flow's dueIn.
/// </summary>
public static class SlaSettings
{
    public static Func<string, string, string?, TimeSpan?>? From(IConfigurationSection section)
    {
        var table = new Dictionary<(string, string), TimeSpan>();
        foreach (var definition in section.GetChildren())
        {
            foreach (var entry in definition.GetChildren())
            {
                if (string.IsNullOrWhiteSpace(entry.Value)) continue;
                try
                {
                    table[(definition.Key, entry.Key)] = XmlConvert.ToTimeSpan(entry.Value);
                }
                catch (FormatException ex)
                {
                    throw new InvalidOperationException($"Sla:{definition.Key}:{entry.Key} = '{entry.Value}' is not an ISO 8601 duration (e.g. PT4H).", ex);
                }
            }
        }
        if (table.Count == 0) return null;
        return (definitionId, activityId, status) =>
            table.TryGetValue((definitionId, activityId), out var byActivity) ? byActivity
            : status is not null && table.TryGetValue((definitionId, status), out var byStatus) ? byStatus
            : null;
    }
}
