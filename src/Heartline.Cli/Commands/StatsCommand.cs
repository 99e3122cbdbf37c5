using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Spectre.Console;

namespace Heartline.Cli.Commands;

/// <summary>
/// <c>heartline stats</c>: the node's counters from <c>GET /api/admin/stats</c>; <c>heartline guests</c>: the VoIP
/// guests' "Connection Stats" from <c>GET /api/voip/stats</c> (admin token for both).
/// </summary>
internal static class StatsCommand
{
    public static Command Create() =>
        Create("stats", "Show the server's statistics / 서버 통계 보기", "/api/admin/stats", Texts.StatsTitle);

    public static Command CreateGuests() =>
        Create("guests", "Show VoIP guests: total, connected, responsive, in a call, reclaimable / VoIP 게스트 현황", "/api/voip/stats",
            Texts.GuestsTitle);

    private static Command Create(string name, string description, string path, string title)
    {
        var token = new Option<string>("--token") { Description = "An admin token.", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the raw JSON instead of a table." };
        var server = ServerOption.Create();

        var command = new Command(name, description) { token, json, server };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            var error = parseResult.InvocationConfiguration.Error;
            string body;
            try
            {
                using var http = ServerOption.CreateHttpClient(ServerOption.Get(parseResult, server));
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", parseResult.GetValue(token));
                using var response = await Http.SendAsync(() => http.GetAsync(path, cancellationToken), cancellationToken);
                body = await response.Content.ReadAsStringAsync(cancellationToken);
                if (response.StatusCode == HttpStatusCode.Unauthorized) throw new CliFailure(Texts.Unauthorized);
                if (response.StatusCode == HttpStatusCode.Forbidden) throw new CliFailure(Texts.AdminRequired);
                if (!response.IsSuccessStatusCode) throw new CliFailure($"{Texts.StatsFailed}: {(int)response.StatusCode} {Http.Detail(body)}");
            }
            catch (CliFailure ex)
            {
                await error.WriteLineAsync(ex.Message);
                return ExitCodes.Failure;
            }
            if (parseResult.GetValue(json))
            {
                await output.WriteLineAsync(body);
                return ExitCodes.Ok;
            }
            using var document = JsonDocument.Parse(body);
            var table = new Table { Title = new TableTitle(title) }
                .AddColumn(Texts.NameColumn)
                .AddColumn(new TableColumn(Texts.ValueColumn).RightAligned());
            foreach (var (name, value) in Flatten(document.RootElement, ""))
                table.AddRow(Markup.Escape(name), Markup.Escape(value));
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
            console.Write(table);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Nested objects become dotted names (<c>metrics.connections</c>), so new fields show up without code changes.</summary>
    internal static IEnumerable<(string Name, string Value)> Flatten(JsonElement element, string prefix)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            yield return (prefix, Format(prefix, element));
            yield break;
        }
        foreach (var property in element.EnumerateObject())
        {
            var name = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
            foreach (var row in Flatten(property.Value, name)) yield return row;
        }
    }

    /// <summary>Counts get thousands separators; Unix-ms timestamps (<c>*_time</c>, <c>*_at</c>) stay plain.</summary>
    private static string Format(string name, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Number when value.TryGetInt64(out var n) => name.EndsWith("_time", StringComparison.Ordinal)
            || name.EndsWith("_at", StringComparison.Ordinal)
            ? n.ToString(CultureInfo.InvariantCulture) : n.ToString("N0", CultureInfo.InvariantCulture),
        JsonValueKind.Number => value.GetDouble().ToString("0.###", CultureInfo.InvariantCulture),
        _ => value.GetRawText(),
    };
}
