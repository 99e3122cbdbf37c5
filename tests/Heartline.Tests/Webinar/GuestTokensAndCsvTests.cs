using Heartline.Core.Auth;
using Heartline.Webinar;
using Microsoft.Extensions.Options;

namespace Heartline.Tests.Webinar;

public sealed class GuestTokensTests
{
    private static GuestTokens Tokens(string key = AuthOptions.DevelopmentSigningKey) =>
        new(new SecretKeys(Options.Create(new AuthOptions { SigningKey = key })));

    [Fact]
    public void Validate_MintedToken_ReturnsItsGuestId()
    {
        var tokens = Tokens();
        var (guestId, token) = tokens.Mint();

        Assert.Equal(guestId, tokens.Validate(token));
        Assert.Matches("^[0-9a-f]{32}$", guestId);
    }

    [Fact]
    public void Validate_ForgedOrAlteredTokens_AreRefused()
    {
        var tokens = Tokens();
        var (guestId, token) = tokens.Mint();
        var otherId = guestId[..^1] + (guestId[^1] == '0' ? '1' : '0');

        Assert.Null(tokens.Validate(otherId + token[32..]));
        Assert.Null(tokens.Validate(Tokens("another-signing-key-of-at-least-32-bytes!").Mint().Token));
        Assert.Null(tokens.Validate(guestId));
        Assert.Null(tokens.Validate(token + "A"));
        Assert.Null(tokens.Validate(""));
    }
}

public sealed class AttendeeCsvTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\"")]
    [InlineData("+1", "'+1")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1)", "'@SUM(A1)")]
    [InlineData("\tx", "'\tx")]
    [InlineData("a,b", "\"a,b\"")]
    [InlineData("line\nbreak", "\"line\nbreak\"")]
    [InlineData("홍길동", "홍길동")]
    [InlineData(null, "")]
    public void Cell_NeutralizesFormulasAndQuotes(string? value, string expected)
    {
        Assert.Equal(expected, AttendeeCsv.Cell(value));
    }
}
