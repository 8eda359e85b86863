using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Features.Fiat.Records;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Definitions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Bank;

public sealed record ChequeItem(string? RecordNo, string? ChequeNo);

/// <param name="Items">The records to print, each with the number of the paper cheque it goes on.</param>
public sealed record ChequePrintRequest(IReadOnlyList<ChequeItem>? Items);

public sealed record ChequeView(string RecordNo, Guid RecordId, string? ChannelId, string Status, decimal Amount, string Currency, string Payee,
    string? ChequeNo, int PrintCount, DateTimeOffset? LastPrintedAt, string? LastPrintedBy);

public sealed record ChequePrintView(Guid PrintRun, string ChequeNo, string? PreviousChequeNo, string Kind, string PrintedBy, DateTimeOffset PrintedAt);

/// <summary>
/// Check Printing: the records of cheque channels, printed in bulk as one PDF (a page per cheque). The first print and
/// every reprint name the cheque number (unique: one paper cheque pays one record), raise the print count and are
/// journaled; a reprint needs an earlier print, and a first print is refused for a cheque already printed.
/// </summary>
public static class ChequeRoutes
{
    public const int MaxPerPrint = 200;
    public const string Initial = "Initial";
    public const string Reprint = "Reprint";
    private static readonly string[] Closed = [FiatNames.Rejected, FiatNames.Failed, "Deleted"];

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/cheques", List).ProducesProblems(400, 401, 403).WithName("listCheques").WithSummary("List cheque withdrawals");
        group.MapPost("/cheques/print", (ChequePrintRequest? request, HttpContext http, FiatDbContext db, IWithdrawalChannels channels, FiatClock fiatClock, TimeProvider clock, CancellationToken ct) =>
            PrintAsync(Initial, request, http, db, channels, fiatClock, clock, ct)).Produces(200, contentType: "application/pdf").ProducesProblems(400, 401, 403, 409, 422).WithName("printCheques").WithSummary("Print cheques (PDF)");
        group.MapPost("/cheques/reprint", (ChequePrintRequest? request, HttpContext http, FiatDbContext db, IWithdrawalChannels channels, FiatClock fiatClock, TimeProvider clock, CancellationToken ct) =>
            PrintAsync(Reprint, request, http, db, channels, fiatClock, clock, ct)).Produces(200, contentType: "application/pdf").ProducesProblems(400, 401, 403, 409, 422).WithName("reprintCheques").WithSummary("Print cheques again (PDF), with a reason");
        group.MapGet("/cheques/{recordNo}/prints", Prints).ProducesProblems(401, 403, 404).WithName("listChequePrints").WithSummary("List the prints of a cheque");
    }

    private static async Task<HashSet<string>> ChequeChannelsAsync(IWithdrawalChannels channels, CancellationToken ct) =>
        [.. (await channels.ListChannelsAsync(ct)).Where(c => c.IsCheque).Select(c => c.ChannelId)];

    private static async Task<Ok<Paged<ChequeView>>> List(HttpContext http, FiatDbContext db, IWithdrawalChannels channels, bool? printed, int? page, int? pageSize, CancellationToken ct)
    {
        StatementRoutes.RequireReader(http);
        var (p, s) = Paging.Check(page, pageSize);
        var cheque = await ChequeChannelsAsync(channels, ct);
        var query = db.Set<FiatWithdrawalRecord>().AsNoTracking()
            .Where(r => r.ChannelId != null && cheque.Contains(r.ChannelId) && !Closed.Contains(r.Status))
            .Select(r => new { Record = r, Cheque = db.Set<FiatCheque>().FirstOrDefault(c => c.RecordId == r.Id) });
        if (printed is true) query = query.Where(x => x.Cheque != null);
        if (printed is false) query = query.Where(x => x.Cheque == null);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(x => x.Record.CreatedAt).ThenBy(x => x.Record.Id).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<ChequeView>([.. rows.Select(x => new ChequeView(x.Record.RecordNo, x.Record.Id, x.Record.ChannelId, x.Record.Status,
            DatabaseBankSandbox.Normal(x.Record.Amount), x.Record.Currency, x.Record.BeneficiaryName ?? x.Record.CustomerId,
            x.Cheque?.ChequeNo, x.Cheque?.PrintCount ?? 0, x.Cheque?.LastPrintedAt, x.Cheque?.LastPrintedBy))], total, p, s));
    }

    private static async Task<Ok<IReadOnlyList<ChequePrintView>>> Prints(string recordNo, HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        StatementRoutes.RequireReader(http);
        if (!await db.Set<FiatWithdrawalRecord>().AnyAsync(r => r.RecordNo == recordNo, ct)) throw ApiProblemException.NotFound($"No withdrawal record '{recordNo}'.");
        var prints = await db.Set<FiatChequePrint>().AsNoTracking().Where(x => x.RecordNo == recordNo).OrderBy(x => x.PrintedAt).ThenBy(x => x.Id).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<ChequePrintView>>([.. prints.Select(x => new ChequePrintView(x.PrintRun, x.ChequeNo, x.PreviousChequeNo, x.Kind, x.PrintedBy, x.PrintedAt))]);
    }

    private static async Task<FileContentHttpResult> PrintAsync(string kind, ChequePrintRequest? request, HttpContext http, FiatDbContext db, IWithdrawalChannels channels,
        FiatClock fiatClock, TimeProvider clock, CancellationToken ct)
    {
        StatementRoutes.RequireOperator(http);
        var items = request?.Items;
        if (items is null || items.Count == 0) throw ApiProblemException.Invalid("items", "items (record numbers with their cheque numbers) are required.");
        if (items.Count > MaxPerPrint) throw ApiProblemException.Invalid("items", $"At most {MaxPerPrint} cheques per print.");
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(items[i].RecordNo) || items[i].RecordNo!.Length > 64) errors[$"items[{i}].recordNo"] = ["recordNo is required (at most 64 characters)."];
            if (items[i].ChequeNo is not { Length: >= 1 and <= 20 } no || !no.All(char.IsAsciiDigit)) errors[$"items[{i}].chequeNo"] = ["chequeNo is the paper cheque's number: 1 to 20 digits."];
        }
        foreach (var dup in items.Select((x, i) => (x.RecordNo, i)).Where(x => x.RecordNo is not null).GroupBy(x => x.RecordNo).Where(g => g.Count() > 1).SelectMany(g => g.Skip(1)))
        {
            errors[$"items[{dup.i}].recordNo"] = [$"Record {dup.RecordNo} is listed twice."];
        }
        foreach (var dup in items.Select((x, i) => (x.ChequeNo, i)).Where(x => x.ChequeNo is not null).GroupBy(x => x.ChequeNo).Where(g => g.Count() > 1).SelectMany(g => g.Skip(1)))
        {
            errors[$"items[{dup.i}].chequeNo"] = [$"Cheque number {dup.ChequeNo} is given twice."];
        }
        if (errors.Count > 0) throw ApiProblemException.Invalid(errors);

        var recordNos = items.Select(x => x.RecordNo!).ToList();
        var chequeNos = items.Select(x => x.ChequeNo!).ToList();
        var records = await db.Set<FiatWithdrawalRecord>().AsNoTracking().Where(r => recordNos.Contains(r.RecordNo)).ToDictionaryAsync(r => r.RecordNo, ct);
        var recordIds = records.Values.Select(r => r.Id).ToList();
        var cheques = await db.Set<FiatCheque>().Where(c => recordIds.Contains(c.RecordId)).ToDictionaryAsync(c => c.RecordId, ct);
        var takenNumbers = await db.Set<FiatCheque>().AsNoTracking().Where(c => chequeNos.Contains(c.ChequeNo)).Select(c => new { c.ChequeNo, c.RecordNo }).ToListAsync(ct);
        var allChannels = (await channels.ListChannelsAsync(ct)).ToDictionary(c => c.ChannelId);
        var faces = new List<ChequeFace>();
        for (var i = 0; i < items.Count; i++)
        {
            var (recordNo, chequeNo) = (items[i].RecordNo!, items[i].ChequeNo!);
            if (!records.TryGetValue(recordNo, out var record))
            {
                errors[$"items[{i}].recordNo"] = [$"No withdrawal record '{recordNo}'."];
                continue;
            }
            if (record.ChannelId is null || !allChannels.TryGetValue(record.ChannelId, out var channel) || !channel.IsCheque)
            {
                errors[$"items[{i}].recordNo"] = [$"Record {recordNo} is not paid by cheque (channel {record.ChannelId ?? "none"})."];
                continue;
            }
            if (Closed.Contains(record.Status))
            {
                errors[$"items[{i}].recordNo"] = [$"Record {recordNo} is {record.Status}: no cheque pays it."];
                continue;
            }
            var existing = cheques.GetValueOrDefault(record.Id);
            if (kind == Initial && existing is not null)
            {
                errors[$"items[{i}].recordNo"] = [$"Record {recordNo}'s cheque was printed already ({existing.PrintCount} time(s), number {existing.ChequeNo}): reprint it."];
                continue;
            }
            if (kind == Reprint && existing is null)
            {
                errors[$"items[{i}].recordNo"] = [$"Record {recordNo}'s cheque was never printed: a reprint needs an earlier print."];
                continue;
            }
            if (takenNumbers.FirstOrDefault(t => t.ChequeNo == chequeNo && t.RecordNo != recordNo) is { } taken)
            {
                errors[$"items[{i}].chequeNo"] = [$"Cheque number {chequeNo} already pays record {taken.RecordNo}."];
                continue;
            }
            var decimals = Currencies.MinorUnits(record.Currency) ?? 2;
            faces.Add(new ChequeFace(chequeNo, recordNo, record.BeneficiaryName ?? record.CustomerId, FiatBankFiles.Amount(record.Amount, decimals), record.Currency,
                channel.BankName, fiatClock.Today, kind == Reprint));
        }
        if (errors.Count > 0) throw ApiProblemException.Invalid(errors, $"{errors.Count} cheque(s) cannot be printed; nothing was printed.");

        // The PDF first: a print that cannot be rendered is not counted.
        var pdf = ChequePdf.Render(faces);
        var now = clock.GetUtcNow();
        var run = Guid.CreateVersion7(now);
        var who = http.User.UserId();
        foreach (var item in items)
        {
            var record = records[item.RecordNo!];
            var cheque = cheques.GetValueOrDefault(record.Id);
            var previous = cheque?.ChequeNo;
            if (cheque is null)
            {
                db.Set<FiatCheque>().Add(cheque = new FiatCheque { RecordId = record.Id, RecordNo = record.RecordNo, FirstPrintedBy = who, FirstPrintedAt = now });
            }
            cheque.ChequeNo = item.ChequeNo!;
            cheque.PrintCount++;
            cheque.LastPrintedBy = who;
            cheque.LastPrintedAt = now;
            db.Set<FiatChequePrint>().Add(new FiatChequePrint
            {
                Id = Guid.CreateVersion7(now),
                PrintRun = run,
                RecordId = record.Id,
                RecordNo = record.RecordNo,
                ChequeNo = item.ChequeNo!,
                PreviousChequeNo = previous is not null && previous != item.ChequeNo ? previous : null,
                Kind = kind,
                PrintedBy = who,
                PrintedAt = now,
            });
        }
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (EventInbox.IsUniqueViolation(ex))
        {
            throw ApiProblemException.Conflict("A cheque number or a first print was taken by another print meanwhile; nothing was printed. Reload and try again.");
        }
        catch (DbUpdateConcurrencyException)
        {
            throw ApiProblemException.Conflict("Another print changed these cheques meanwhile; nothing was printed. Reload and try again.");
        }
        http.Response.Headers["X-Print-Run"] = run.ToString();
        return TypedResults.File(pdf, "application/pdf", $"cheques-{kind.ToLowerInvariant()}-{run:N}.pdf");
    }
}
