using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Infrastructure;

/// <summary>
/// Saving a configuration row (fiat, crypto): a concurrent edit of the same row is the family's stale-version 409 and a
/// duplicate key a 409 naming what already exists — never a 500.
/// </summary>
public static class ConfigSaves
{
    /// <summary>The 409 for a row someone else changed since the caller read it (named by <c>rowVersion</c>).</summary>
    public static ApiProblemException Stale(string what) =>
        new(409, "The data changed underneath.", new Dictionary<string, string[]> { ["rowVersion"] = [$"{what} was changed by someone else since you read it; reload it and try again."] },
            $"{what} was changed by someone else since you read it.");

    public static async Task SaveAsync(DbContext db, string what, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw Stale(what);
        }
        catch (DbUpdateException ex) when (ApprovalEngine.Hosting.EventInbox.IsUniqueViolation(ex))
        {
            throw ApiProblemException.Conflict($"{what} already exists.");
        }
    }
}
