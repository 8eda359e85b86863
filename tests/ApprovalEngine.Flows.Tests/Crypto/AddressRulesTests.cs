using ApprovalEngine.Flows.Crypto;

namespace ApprovalEngine.Flows.Tests.Crypto;

/// <summary><see cref="AddressRules.FormatProblem"/> by table, with addresses from the networks' own specifications.</summary>
public class AddressRulesTests
{
    [TestCase("BTC", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", TestName = "BTC P2PKH (genesis)")]
    [TestCase("BTC", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", TestName = "BTC P2SH")]
    [TestCase("BTC", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", TestName = "BTC segwit v0 (BIP 173)")]
    [TestCase("BTC", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", TestName = "BTC segwit v0 upper case")]
    [TestCase("BTC", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", TestName = "BTC taproot (BIP 350)")]
    [TestCase("ERC20", "0x52908400098527886E0F7030069857D2E4169EE7", TestName = "ERC20 upper hex")]
    [TestCase("ERC20", "0xde709f2102306220921060314715629080e2fb77", TestName = "ERC20 lower hex")]
    [TestCase("TRC20", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", TestName = "TRON (USDT contract)")]
    [TestCase("LTC", "anything-goes-here", TestName = "network without a known format")]
    public void Valid(string network, string address) => Assert.That(AddressRules.FormatProblem(network, address), Is.Null);

    [TestCase("BTC", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", TestName = "BTC P2PKH one character off (checksum)")]
    [TestCase("BTC", "1A1zP1eP5QGefi2DMPTfTL5SLmv7Divf0a", TestName = "BTC with 0, not base58")]
    [TestCase("BTC", "2A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", TestName = "BTC wrong leading character")]
    [TestCase("BTC", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", TestName = "BTC bech32 bad checksum")]
    [TestCase("BTC", "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", TestName = "BTC bech32 mixed case")]
    [TestCase("BTC", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", TestName = "BTC testnet address on mainnet")]
    [TestCase("BTC", "0x52908400098527886E0F7030069857D2E4169EE7", TestName = "ETH address on BTC")]
    [TestCase("ERC20", "52908400098527886E0F7030069857D2E4169EE7", TestName = "ERC20 without 0x")]
    [TestCase("ERC20", "0x52908400098527886E0F7030069857D2E4169EE", TestName = "ERC20 39 hex digits")]
    [TestCase("ERC20", "0x52908400098527886E0F7030069857D2E4169EEG", TestName = "ERC20 non-hex")]
    [TestCase("TRC20", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u", TestName = "TRON checksum off")]
    [TestCase("TRC20", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", TestName = "BTC address on TRON")]
    [TestCase("TRC20", "", TestName = "empty")]
    [TestCase("BTC", " 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", TestName = "leading space")]
    public void Refused(string network, string address) => Assert.That(AddressRules.FormatProblem(network, address), Is.Not.Null);
}
