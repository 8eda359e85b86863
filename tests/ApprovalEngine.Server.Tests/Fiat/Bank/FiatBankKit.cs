using System.Globalization;
using System.Net.Http.Json;
using System.Security;
using System.Text;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Features.Fiat;
using ApprovalEngine.Server.Features.Fiat.Bank;
using ApprovalEngine.Server.Features.Fiat.Records;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Fiat.Bank;

/// <summary>A line of a test statement.</summary>
public sealed record Line(string EntryId, DateOnly Booked, decimal Amount, string Currency = "HKD", string Direction = "DBIT", string? EndToEndId = null,
    string? Counterparty = null, string Status = "BOOK", string? Info = null);

/// <summary>
/// Drives the bank side over HTTP. Until the operations side's flow reaches Unmatch, a record in Unmatch is a row in
/// fiat_withdrawals (as the records projection writes it) plus an instance of a small test flow that waits for
/// FiatReconciled exactly as the fiat-withdrawal flow will (correlation = record no).
/// </summary>
public static class FiatBankKit
{
    public const string Hkd = "ICBC-001-FPS";
    public const string UnmatchFlowId = "test-fiat-unmatch";

    public static JsonObject UnmatchFlow() => JsonNode.Parse($$"""
        {
          "id": "{{UnmatchFlowId}}", "name": "Record waiting for its bank debit",
          "variables": [ { "name": "recordNo", "type": "string" }, { "name": "reconciliation", "type": "any" } ],
          "inputs": [ { "name": "recordNo", "type": "string", "required": true } ],
          "activities": [
            { "id": "start", "type": "Start" },
            { "id": "unmatch", "type": "SetStatus", "inputs": { "status": "Unmatch" } },
            { "id": "wait", "type": "WaitForEvent", "inputs": { "event": "FiatReconciled", "correlation": "recordNo", "resultVariable": "reconciliation" } },
            { "id": "done", "type": "End", "inputs": { "status": "Completed" } }
          ],
          "connections": [
            { "source": "start", "outcome": "Done", "target": "unmatch" },
            { "source": "unmatch", "outcome": "Done", "target": "wait" },
            { "source": "wait", "outcome": "Received", "target": "done" }
          ]
        }
        """)!.AsObject();

    /// <summary>A paid record in Unmatch; returns its instance id (= record id).</summary>
    public static async Task<Guid> RecordAsync(ApiFactory factory, string recordNo, decimal amount, string currency = "HKD", string channel = Hkd,
        string? bankReference = null, DateTimeOffset? paidAt = null)
    {
        var started = await factory.AsTestSystem().PostObjectAsync($"/api/definitions/{UnmatchFlowId}/instances", new { correlationId = recordNo, input = new { recordNo } });
        var id = Guid.Parse(started.Text("id"));
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<FiatDbContext>>().CreateDbContextAsync();
        var at = paidAt ?? DateTimeOffset.UtcNow;
        db.Set<FiatWithdrawalRecord>().Add(new FiatWithdrawalRecord
        {
            Id = id,
            RecordNo = recordNo,
            CustomerId = "C-1",
            Currency = currency,
            Amount = amount,
            BeneficiaryAccount = "012-345678",
            ChannelId = channel,
            Status = FiatBankNames.Unmatch,
            BankReference = bankReference,
            BusinessDay = DateOnly.FromDateTime(at.UtcDateTime),
            CreatedAt = at,
            UpdatedAt = at,
        });
        await db.SaveChangesAsync();
        return id;
    }

    public static async Task<JsonObject> InstanceAsync(ApiFactory factory, Guid id) =>
        await (await factory.AsUserAsync("supervisor1")).GetObjectAsync($"/api/instances/{id}");

    public static string Csv(params string[] rows) => string.Join("\r\n", rows) + "\r\n";

    public static Task<HttpResponseMessage> ImportAsync(HttpClient client, string format, string content, string channel = Hkd) =>
        client.PostAsJsonAsync("/api/fiat/statements/imports", new { channelId = channel, format, content, fileName = $"statement.{format}" });

    public static async Task<JsonObject> ImportOkAsync(HttpClient client, string format, string content, string channel = Hkd)
    {
        var response = await ImportAsync(client, format, content, channel);
        var json = await response.ReadObjectAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(201), json.ToJsonString());
        return json;
    }

    public static async Task<JsonArray> EntriesAsync(HttpClient client, string query = "") =>
        (await client.GetObjectAsync($"/api/fiat/statements/entries?pageSize=500{query}")).Items();

    /// <summary>A camt.053.001.08 statement of <paramref name="lines"/> (valid against ISO's schema).</summary>
    public static string Camt053(params Line[] lines)
    {
        var sb = new StringBuilder();
        sb.Append("""
            <?xml version="1.0" encoding="UTF-8"?>
            <Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
              <BkToCstmrStmt>
                <GrpHdr><MsgId>STMT-1</MsgId><CreDtTm>2026-12-02T08:00:00</CreDtTm></GrpHdr>
                <Stmt>
                  <Id>STMT-1-1</Id>
                  <Acct><Id><Othr><Id>ICBC-ASIA-001</Id></Othr></Id><Ccy>HKD</Ccy></Acct>
                  <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="HKD">1000000.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-12-02</Dt></Dt></Bal>

            """);
        foreach (var l in lines)
        {
            sb.Append(CultureInfo.InvariantCulture, $"""
                      <Ntry>
                        <NtryRef>{SecurityElement.Escape(l.EntryId)}-N</NtryRef>
                        <Amt Ccy="{l.Currency}">{l.Amount.ToString(CultureInfo.InvariantCulture)}</Amt>
                        <CdtDbtInd>{l.Direction}</CdtDbtInd>
                        <Sts><Cd>{l.Status}</Cd></Sts>
                        <BookgDt><Dt>{l.Booked:yyyy-MM-dd}</Dt></BookgDt>
                        <AcctSvcrRef>{SecurityElement.Escape(l.EntryId)}</AcctSvcrRef>
                        <BkTxCd/>
                        <NtryDtls><TxDtls>
                          <Refs><EndToEndId>{SecurityElement.Escape(l.EndToEndId ?? "NOTPROVIDED")}</EndToEndId></Refs>
                          {(l.Counterparty is null ? "" : $"<RltdPties><CdtrAcct><Id><Othr><Id>{SecurityElement.Escape(l.Counterparty)}</Id></Othr></Id></CdtrAcct></RltdPties>")}
                        </TxDtls></NtryDtls>
                        {(l.Info is null ? "" : $"<AddtlNtryInf>{SecurityElement.Escape(l.Info)}</AddtlNtryInf>")}
                      </Ntry>

                """);
        }
        sb.Append("""
                </Stmt>
              </BkToCstmrStmt>
            </Document>
            """);
        return sb.ToString();
    }
}
