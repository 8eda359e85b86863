using System.Net;

namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// Staff sign in through the company's OpenID Connect provider in the designer (issue 15, ADR 21): authorization code
/// with PKCE as a public client, in chromium at 1280×800 against the real server on PostgreSQL, with an in-process
/// provider (<see cref="FakeOidcProvider"/>) that refuses a token request without the right code_verifier
/// (designer/e2e/oidc-scenarios.mjs, run as <c>run.mjs --suite oidc</c>; axe on the sign-in and callback pages).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class OidcE2ETests() : NodeSuiteFixture("oidc", "e2e_oidc")
{
    private FakeOidcProvider _provider = null!;

    protected override async Task<IReadOnlyDictionary<string, string?>> ServerSettingsAsync()
    {
        _provider = await FakeOidcProvider.StartAsync(
            new FakeOidcProvider.User("kc.cs.agent", "Casey Agent", ["crm-cs"]),
            new FakeOidcProvider.User("kc.leaver", "Lee Leaver", ["crm-cs"]));
        return _provider.ServerSettings();
    }

    [OneTimeTearDown]
    public async Task StopProvider()
    {
        if (_provider is not null) await _provider.DisposeAsync();
    }

    [Test]
    public Task A_provider_user_mapped_by_group_to_CS_signs_in_and_sees_the_CS_inbox() => Scenario("oidc-department");

    [Test]
    public Task A_tampered_state_on_return_is_refused_with_a_message() => Scenario("oidc-state");

    [Test]
    public Task The_provider_refusing_the_sign_in_shows_the_message() => Scenario("oidc-denied");

    [Test]
    public Task A_provider_user_whose_stored_account_is_disabled_sees_the_servers_refusal() => Scenario("oidc-disabled");

    [Test]
    public Task The_session_expired_dialog_signs_the_provider_user_in_again_in_a_popup_and_keeps_the_typed_comment() => Scenario("oidc-expired");

    /// <summary>
    /// The fake provider is only worth the browser scenarios if it holds the designer to PKCE: a code redeemed without
    /// its verifier, or with another, gets no token (and is used up). Driven over HTTP as the browser would.
    /// </summary>
    [Test]
    public async Task The_test_provider_refuses_a_missing_or_wrong_code_verifier()
    {
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        const string challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        const string redirect = "http://127.0.0.1:1/inbox/auth/callback";
        async Task<string> CodeAsync()
        {
            var page = await http.GetStringAsync($"{_provider.Authority}/authorize?client_id={FakeOidcProvider.ClientId}&response_type=code&redirect_uri={Uri.EscapeDataString(redirect)}&state=s&nonce=n&code_challenge={challenge}&code_challenge_method=S256");
            var tx = System.Text.RegularExpressions.Regex.Match(page, "name=\"tx\" value=\"([0-9a-f]+)\"").Groups[1].Value;
            using var decided = await http.PostAsync($"{_provider.Authority}/authorize/decide", new FormUrlEncodedContent(new Dictionary<string, string> { ["tx"] = tx, ["user"] = "kc.cs.agent" }));
            Assert.That(decided.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            return System.Web.HttpUtility.ParseQueryString(decided.Headers.Location!.Query)["code"]!;
        }
        async Task<HttpStatusCode> RedeemAsync(string code, string? codeVerifier)
        {
            var form = new Dictionary<string, string> { ["grant_type"] = "authorization_code", ["code"] = code, ["client_id"] = FakeOidcProvider.ClientId, ["redirect_uri"] = redirect };
            if (codeVerifier is not null) form["code_verifier"] = codeVerifier;
            using var response = await http.PostAsync($"{_provider.Authority}/token", new FormUrlEncodedContent(form));
            return response.StatusCode;
        }

        var refusedBefore = _provider.RefusedVerifiers;
        var first = await CodeAsync();
        Assert.That(await RedeemAsync(first, null), Is.EqualTo(HttpStatusCode.BadRequest), "no verifier");
        Assert.That(await RedeemAsync(first, verifier), Is.EqualTo(HttpStatusCode.BadRequest), "the code was used up by the refused request");
        Assert.That(await RedeemAsync(await CodeAsync(), verifier[..^1] + "Y"), Is.EqualTo(HttpStatusCode.BadRequest), "another verifier");
        Assert.That(_provider.RefusedVerifiers - refusedBefore, Is.EqualTo(2));
        Assert.That(await RedeemAsync(await CodeAsync(), verifier), Is.EqualTo(HttpStatusCode.OK), "the RFC 7636 verifier of the challenge sent");
    }
}
