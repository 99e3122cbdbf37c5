using System.CommandLine;

namespace Heartline.Cli.Commands;

/// <summary>The <c>--server</c> option every networked command shares.</summary>
internal static class ServerOption
{
    public const string DefaultServer = "http://127.0.0.1:5080";
    public const string EnvironmentVariable = "HEARTLINE_SERVER";

    public static Option<string> Create()
    {
        var option = new Option<string>("--server")
        {
            Description = $"Server base URL. Default: ${EnvironmentVariable}, else {DefaultServer}.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } fromEnv
                ? fromEnv : DefaultServer,
        };
        option.Validators.Add(result =>
        {
            if (TryParse(result.GetValueOrDefault<string>()) is null) result.AddError(Texts.InvalidServer);
        });
        return option;
    }

    public static Uri Get(ParseResult parseResult, Option<string> option) => TryParse(parseResult.GetValue(option))!;

    /// <summary>The WebSocket endpoint of a server base URL: http → ws, https → wss, path <c>/ws</c>.</summary>
    public static Uri WebSocketUri(Uri server) =>
        new UriBuilder(server) { Scheme = server.Scheme == Uri.UriSchemeHttps ? "wss" : "ws", Path = "/ws" }.Uri;

    public static HttpClient CreateHttpClient(Uri server) => new() { BaseAddress = server, Timeout = TimeSpan.FromSeconds(30) };

    private static Uri? TryParse(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri : null;
}
