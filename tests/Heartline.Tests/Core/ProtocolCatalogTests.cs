using Microsoft.Extensions.DependencyInjection;
using System.Text.RegularExpressions;
using Heartline.Core.Protocol;
using Heartline.Tests.Infrastructure;

namespace Heartline.Tests.Core;

/// <summary>The documentation is the contract for other-language clients: it must list exactly the codes the server uses.</summary>
public sealed partial class ProtocolCatalogTests
{
    private static readonly string Doc = File.ReadAllText(Path.Combine(RepoRoot.Path, "docs", "protocol.md"));

    [Fact]
    public async Task ErrorCodes_OfTheCoreAndEveryModule_AreExactlyTheDocumentedOnes()
    {
        // The host's own registrations: the catalog is what the core and each module registered.
        await using var app = HeartlineHost.Build(["--environment", "Testing", "--Storage:ConnectionString", "Data Source=:memory:"]);
        var catalog = app.Services.GetRequiredService<ErrorCatalog>();
        var documented = ErrorCodeTables().Matches(Doc).SelectMany(table => ErrorRow().Matches(table.Value))
            .Select(m => m.Groups[1].Value).ToHashSet();

        Assert.Equal(documented.Order(StringComparer.Ordinal), catalog.All.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CloseCodes_AreAllDocumentedWithTheirNameAndAdvice()
    {
        foreach (var code in CloseCodes.All)
        {
            var row = Regex.Match(Doc, $@"^\| {code.Value} \| `{code.Name}` \|.*$", RegexOptions.Multiline);
            Assert.True(row.Success, $"close code {code.Value} {code.Name} is not documented");
            if (code.Value is >= 4000 and < 4500) Assert.True(code.Reconnect, $"{code.Value} is in the reconnect range");
            if (code.Value >= 4500) Assert.False(code.Reconnect, $"{code.Value} is in the terminal range");
        }
    }

    [GeneratedRegex(@"^\| `([a-z_]+)` \|", RegexOptions.Multiline)]
    private static partial Regex ErrorRow();

    /// <summary>The tables of error codes: their header is <c>| code | meaning | client should |</c>.</summary>
    [GeneratedRegex(@"^\| code \| meaning \| client should \|\n(?:\|.*\n)+", RegexOptions.Multiline)]
    private static partial Regex ErrorCodeTables();
}
