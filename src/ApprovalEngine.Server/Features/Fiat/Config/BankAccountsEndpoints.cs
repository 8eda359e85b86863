using System.Text.RegularExpressions;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Config;

public sealed record BankAccountBody(string? Id, string? BankName, string? Bic, string? AccountNo, string? AccountName, string? Currency, bool? ApiIntegrated, int? RowVersion);

public sealed record BankAccountView(string Id, string BankName, string? Bic, string AccountNo, string AccountName, string Currency, bool ApiIntegrated, int RowVersion, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static BankAccountView Of(CompanyBankAccount a) => new(a.Id, a.BankName, a.Bic, a.AccountNo, a.AccountName, a.Currency, a.ApiIntegrated, a.RowVersion, a.CreatedAt, a.UpdatedAt);
}

/// <summary>Fund Parameter &gt; Company Bank Account: the broker's paying accounts.</summary>
public static partial class BankAccountsEndpoints
{
    public const string Entity = "BankAccount";

    [GeneratedRegex("^[A-Za-z0-9._-]{1,64}$", RegexOptions.CultureInvariant)]
    internal static partial Regex IdPattern();

    [GeneratedRegex("^[A-Z0-9]{8}([A-Z0-9]{3})?$", RegexOptions.CultureInvariant)]
    private static partial Regex BicPattern();

    public static void Map(RouteGroupBuilder config)
    {
        config.MapGet("/bank-accounts", List).WithName("listBankAccounts").WithSummary("List company bank accounts");
        config.MapGet("/bank-accounts/{id}", Get).WithName("getBankAccount").WithSummary("Get a company bank account");
        config.MapPost("/bank-accounts", Create).WithName("createBankAccount").WithSummary("Add a company bank account");
        config.MapPut("/bank-accounts/{id}", Edit).WithName("editBankAccount").WithSummary("Change a company bank account");
        config.MapDelete("/bank-accounts/{id}", Delete).WithName("deleteBankAccount").WithSummary("Delete a company bank account");
    }

    internal static string Id(FieldErrors errors, string? id, string field)
    {
        var value = errors.Text(id, field, 64);
        if (value.Length > 0 && !IdPattern().IsMatch(value)) errors.Add(field, $"'{field}' may hold letters, digits, '.', '_' and '-' only (at most 64).");
        return value;
    }

    public static async Task<Ok<List<BankAccountView>>> List(HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        var rows = await db.Set<CompanyBankAccount>().AsNoTracking().OrderBy(a => a.Id).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(BankAccountView.Of).ToList());
    }

    public static async Task<Ok<BankAccountView>> Get(string id, HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        return TypedResults.Ok(BankAccountView.Of(await FindAsync(db, id, ct)));
    }

    private static async Task<CompanyBankAccount> FindAsync(FiatDbContext db, string id, CancellationToken ct) =>
        await db.Set<CompanyBankAccount>().FirstOrDefaultAsync(a => a.Id == id, ct) ?? throw ApiProblemException.NotFound($"No company bank account '{id}'.");

    private static void Apply(FieldErrors errors, CompanyBankAccount row, BankAccountBody body)
    {
        row.BankName = errors.Text(body.BankName, "bankName");
        row.Bic = errors.OptionalText(body.Bic?.ToUpperInvariant(), "bic", 11);
        if (row.Bic is not null && !BicPattern().IsMatch(row.Bic)) errors.Add("bic", "'bic' must be 8 or 11 letters and digits.");
        row.AccountNo = errors.Text(body.AccountNo, "accountNo");
        row.AccountName = errors.Text(body.AccountName, "accountName");
        row.Currency = errors.Currency(body.Currency, "currency");
        row.ApiIntegrated = errors.Bool(body.ApiIntegrated, "apiIntegrated");
    }

    public static async Task<Created<BankAccountView>> Create(BankAccountBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        var errors = new FieldErrors();
        var now = time.GetUtcNow();
        var row = new CompanyBankAccount { Id = Id(errors, body.Id, "id"), CreatedAt = now, UpdatedAt = now, RowVersion = 1 };
        Apply(errors, row, body);
        errors.ThrowIfAny();
        if (await db.Set<CompanyBankAccount>().AnyAsync(a => a.Id == row.Id, ct)) throw ApiProblemException.Conflict($"The company bank account '{row.Id}' already exists.");
        db.Add(row);
        ConfigJournal.Add(db, ConfigJournal.Actor(http), now, Entity, row.Id, "Create", null, BankAccountView.Of(row));
        await ConfigSave.SaveAsync(db, $"The company bank account '{row.Id}'", ct);
        return TypedResults.Created($"/api/fiat/config/bank-accounts/{row.Id}", BankAccountView.Of(row));
    }

    public static async Task<Ok<BankAccountView>> Edit(string id, BankAccountBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        var row = await FindAsync(db, id, ct);
        var before = BankAccountView.Of(row);
        var errors = new FieldErrors();
        var version = errors.RowVersion(body.RowVersion);
        Apply(errors, row, body);
        errors.ThrowIfAny();
        ConfigSave.CheckVersion(row.RowVersion, version, $"The company bank account '{id}'");
        if (before.Currency != row.Currency && await db.Set<FiatChannel>().AnyAsync(c => c.BankAccountId == id, ct))
        {
            throw ApiProblemException.Invalid("currency", "The currency of an account that channels pay from cannot change; create another account.");
        }
        row.RowVersion++;
        row.UpdatedAt = time.GetUtcNow();
        ConfigJournal.Add(db, ConfigJournal.Actor(http), row.UpdatedAt, Entity, id, "Edit", before, BankAccountView.Of(row));
        await ConfigSave.SaveAsync(db, $"The company bank account '{id}'", ct);
        return TypedResults.Ok(BankAccountView.Of(row));
    }

    public static async Task<NoContent> Delete(string id, int? rowVersion, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        var row = await FindAsync(db, id, ct);
        if (rowVersion is { } v) ConfigSave.CheckVersion(row.RowVersion, v, $"The company bank account '{id}'");
        if (await db.Set<FiatChannel>().AnyAsync(c => c.BankAccountId == id, ct)) throw ApiProblemException.Conflict($"Channels pay from '{id}'; delete them first.");
        var limit = await db.Set<BankDailyLimit>().FirstOrDefaultAsync(l => l.BankAccountId == id, ct);
        var interception = await db.Set<InterceptionRule>().FirstOrDefaultAsync(i => i.BankAccountId == id, ct);
        if (limit is not null || interception is not null) throw ApiProblemException.Conflict($"'{id}' still has a daily limit or an interception rule; delete them first.");
        db.Remove(row);
        ConfigJournal.Add(db, ConfigJournal.Actor(http), time.GetUtcNow(), Entity, id, "Delete", BankAccountView.Of(row), null);
        await ConfigSave.SaveAsync(db, $"The company bank account '{id}'", ct);
        return TypedResults.NoContent();
    }
}
