using System.Text;
using ApprovalEngine.Adapters.Http;
using NUnit.Framework;

namespace ApprovalEngine.Flows.Tests.HttpKit;

/// <summary>The two signatures every adapter and webhook relies on: what passes, and every way a forgery or replay fails.</summary>
public sealed class SignatureTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef");
    private static readonly byte[] OtherKey = Encoding.UTF8.GetBytes("fedcba9876543210fedcba9876543210");
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 0, 0, 0, TimeSpan.Zero);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"payout":"P-1","status":"Paid"}""");

    [Test]
    public void Webhook_signature_matches_the_standard_webhooks_test_vector()
    {
        // The vector from the Standard Webhooks specification's reference libraries: key "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" (base64 after the prefix).
        var key = Convert.FromBase64String("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
        var body = Encoding.UTF8.GetBytes("""{"test": 2432232314}""");
        Assert.That(WebhookSignature.Sign(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body), Is.EqualTo("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="));
    }

    [Test]
    public void Webhook_signed_now_with_the_key_is_valid() =>
        Assert.That(Check([Key], "d-1", Now, WebhookSignature.Sign(Key, "d-1", Now.ToUnixTimeSeconds(), Body)), Is.EqualTo(SignatureCheck.Valid));

    [Test]
    public void Webhook_signed_with_the_previous_key_is_valid_during_a_rotation() =>
        Assert.That(Check([Key, OtherKey], "d-1", Now, WebhookSignature.Sign(OtherKey, "d-1", Now.ToUnixTimeSeconds(), Body)), Is.EqualTo(SignatureCheck.Valid));

    [Test]
    public void Webhook_with_several_signatures_is_valid_when_one_matches() =>
        Assert.That(Check([Key], "d-1", Now, $"v1,AAAA {WebhookSignature.Sign(Key, "d-1", Now.ToUnixTimeSeconds(), Body)}"), Is.EqualTo(SignatureCheck.Valid));

    [Test]
    public void Webhook_signed_with_another_key_is_a_mismatch() =>
        Assert.That(Check([Key], "d-1", Now, WebhookSignature.Sign(OtherKey, "d-1", Now.ToUnixTimeSeconds(), Body)), Is.EqualTo(SignatureCheck.Mismatch));

    [Test]
    public void Webhook_whose_id_was_changed_is_a_mismatch() =>
        Assert.That(Check([Key], "d-2", Now, WebhookSignature.Sign(Key, "d-1", Now.ToUnixTimeSeconds(), Body)), Is.EqualTo(SignatureCheck.Mismatch));

    [Test]
    public void Webhook_whose_body_was_changed_is_a_mismatch()
    {
        var signature = WebhookSignature.Sign(Key, "d-1", Now.ToUnixTimeSeconds(), Body);
        var changed = Encoding.UTF8.GetBytes("""{"payout":"P-1","status":"Failed"}""");
        Assert.That(WebhookSignature.Verify([Key], "d-1", Now.ToUnixTimeSeconds().ToString(), signature, changed, Now), Is.EqualTo(SignatureCheck.Mismatch));
    }

    [Test]
    public void Webhook_replayed_after_the_tolerance_is_refused()
    {
        var sent = Now.AddMinutes(-6);
        var signature = WebhookSignature.Sign(Key, "d-1", sent.ToUnixTimeSeconds(), Body);
        Assert.That(WebhookSignature.Verify([Key], "d-1", sent.ToUnixTimeSeconds().ToString(), signature, Body, Now), Is.EqualTo(SignatureCheck.OutOfTolerance));
    }

    [TestCase(null, "1", "v1,x", ExpectedResult = SignatureCheck.Missing)]
    [TestCase("d-1", null, "v1,x", ExpectedResult = SignatureCheck.Missing)]
    [TestCase("d-1", "1", null, ExpectedResult = SignatureCheck.Missing)]
    [TestCase("d-1", "-5", "v1,x", ExpectedResult = SignatureCheck.Malformed)]
    [TestCase("d-1", "1e9", "v1,x", ExpectedResult = SignatureCheck.Malformed)]
    [TestCase("d-1", "99999999999999999999999", "v1,x", ExpectedResult = SignatureCheck.Malformed)]
    public SignatureCheck Webhook_with_missing_or_malformed_headers_is_refused(string? id, string? timestamp, string? signature) =>
        WebhookSignature.Verify([Key], id, timestamp, signature, Body, Now);

    [Test]
    public void Webhook_with_no_keys_configured_is_refused() =>
        Assert.That(Check([], "d-1", Now, WebhookSignature.Sign(Key, "d-1", Now.ToUnixTimeSeconds(), Body)), Is.EqualTo(SignatureCheck.Mismatch));

    [Test]
    public void Request_signature_round_trips()
    {
        var ts = Now.ToUnixTimeSeconds();
        var signature = RequestSignature.Sign(Key, "POST", "/balance-operations", ts, "wd-1:debit", Body);
        Assert.That(RequestSignature.Verify(Key, "post", "/balance-operations", ts.ToString(), "wd-1:debit", signature, Body, Now), Is.EqualTo(SignatureCheck.Valid));
    }

    [TestCase("GET", "/balance-operations", "wd-1:debit", TestName = "Request_signature_binds_the_method")]
    [TestCase("POST", "/balance-operations?x=1", "wd-1:debit", TestName = "Request_signature_binds_the_path_and_query")]
    [TestCase("POST", "/balance-operations", "wd-2:debit", TestName = "Request_signature_binds_the_idempotency_key")]
    [TestCase("POST", "/balance-operations", null, TestName = "Request_signature_refuses_a_removed_idempotency_key")]
    public void Request_signature_refuses_a_changed_part(string method, string path, string? key)
    {
        var ts = Now.ToUnixTimeSeconds();
        var signature = RequestSignature.Sign(Key, "POST", "/balance-operations", ts, "wd-1:debit", Body);
        Assert.That(RequestSignature.Verify(Key, method, path, ts.ToString(), key, signature, Body, Now), Is.EqualTo(SignatureCheck.Mismatch));
    }

    [Test]
    public void Request_signature_refuses_a_replay_after_the_tolerance()
    {
        var ts = Now.AddMinutes(-10).ToUnixTimeSeconds();
        var signature = RequestSignature.Sign(Key, "POST", "/x", ts, null, Body);
        Assert.That(RequestSignature.Verify(Key, "POST", "/x", ts.ToString(), null, signature, Body, Now), Is.EqualTo(SignatureCheck.OutOfTolerance));
    }

    private static SignatureCheck Check(IEnumerable<byte[]> keys, string id, DateTimeOffset at, string signature) =>
        WebhookSignature.Verify(keys, id, at.ToUnixTimeSeconds().ToString(), signature, Body, Now);
}
