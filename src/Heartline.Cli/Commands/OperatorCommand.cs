using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Heartline.Cli.Commands;

/// <summary>
/// Operator actions (docs/protocol.md 4 and 10.4), each recorded on the server with who did it:
/// <c>heartline end-session ID</c>, <c>heartline stale-clean</c>, <c>heartline disconnect USER</c>.
/// </summary>
internal static class OperatorCommand
{
    public static Command CreateEndSession() => Create("end-session", "End a stuck push-to-talk session / 멈춘 PTT 세션 종료",
        new Argument<string>("session-id") { Description = "The session's id (from the dashboard, the events or the drill-down)." },
        id => $"/api/ptt/sessions/{Uri.EscapeDataString(id!)}/end", Texts.SessionEnded, Texts.SessionAlreadyEnded);

    public static Command CreateStaleClean() => Create("stale-clean", "Run the stale cleaner now (admin) / 정리 작업 즉시 실행",
        null, _ => "/api/ptt/stale-cleaner/run", Texts.StaleCleaned, Texts.StaleCleaned);

    public static Command CreateDisconnect() => Create("disconnect", "Close every connection of a user (admin) / 사용자 연결 모두 끊기",
        new Argument<string>("user") { Description = "The user's id." },
        user => $"/api/admin/users/{Uri.EscapeDataString(user!)}/disconnect", Texts.UserDisconnected, Texts.UserDisconnected);

    private static Command Create(string name, string description, Argument<string>? argument, Func<string?, string> path, string done,
        string nothing)
    {
        var token = new Option<string>("--token") { Description = "An admin token (a call manager's for end-session in its office).", Required = true };
        var server = ServerOption.Create();
        var command = new Command(name, description) { token, server };
        if (argument is not null) command.Arguments.Add(argument);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = parseResult.InvocationConfiguration.Output;
            try
            {
                using var http = ServerOption.CreateHttpClient(ServerOption.Get(parseResult, server));
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", parseResult.GetValue(token));
                var target = argument is null ? null : parseResult.GetValue(argument);
                using var response = await Http.SendAsync(() => http.PostAsync(path(target), null, cancellationToken), cancellationToken);
                var body = await response.Content.ReadAsStringAsync(cancellationToken);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.Unauthorized: throw new CliFailure(Texts.Unauthorized);
                    case HttpStatusCode.Forbidden: throw new CliFailure($"{Texts.OperatorForbidden}: {Http.Detail(body)}");
                    case HttpStatusCode.NotFound: throw new CliFailure(Texts.NotFound);
                    case var status when (int)status >= 400: throw new CliFailure($"{Texts.OperatorFailed}: {(int)status} {Http.Detail(body)}");
                }
                using var document = JsonDocument.Parse(body);
                var root = document.RootElement;
                var count = root.TryGetProperty("count", out var c) ? c.GetInt32() : root.GetProperty("closed").GetInt32();
                var happened = root.TryGetProperty("done", out var d) ? d.GetBoolean() : count > 0;
                await output.WriteLineAsync($"{(happened ? done : nothing)} ({count})");
                return ExitCodes.Ok;
            }
            catch (CliFailure ex)
            {
                await parseResult.InvocationConfiguration.Error.WriteLineAsync(ex.Message);
                return ExitCodes.Failure;
            }
        });
        return command;
    }
}
