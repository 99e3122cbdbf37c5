using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Heartline.Cli.Commands;

/// <summary>
/// The body of <c>POST /api/auth/dev-token</c>: one role is sent as <c>role</c> (as every server accepts), several as
/// <c>roles</c>; the office (push-to-talk's <c>region_id</c> and <c>office_id</c>), <c>kind</c> and <c>tenant</c> are left
/// out when null.
/// </summary>
internal sealed record DevTokenRequest(
    [property: JsonPropertyName("user_id")] string UserId,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonIgnore] IReadOnlyList<string> RoleList,
    [property: JsonPropertyName("region_id")] string? RegionId,
    [property: JsonPropertyName("office_id")] string? OfficeId,
    [property: JsonPropertyName("ttl_seconds")] int? TtlSeconds)
{
    /// <summary>A token of one role.</summary>
    public DevTokenRequest(string userId, string? name, string role, string? regionId, string? officeId, int? ttlSeconds)
        : this(userId, name, [role], regionId, officeId, ttlSeconds)
    {
    }

    [JsonPropertyName("role")]
    public string? Role => RoleList.Count == 1 ? RoleList[0] : null;

    [JsonPropertyName("roles")]
    public IReadOnlyList<string>? Roles => RoleList.Count > 1 ? RoleList : null;

    /// <summary><c>user</c>, <c>guest</c> or <c>service</c>; null leaves it to the server (guest for the guest role, else user).</summary>
    [JsonPropertyName("kind")]
    public string? Kind { get; init; }

    [JsonPropertyName("tenant")]
    public string? Tenant { get; init; }
}

/// <summary>A failure of an HTTP call, already phrased for the user.</summary>
internal sealed class CliFailure(string message) : Exception(message);

/// <summary>Mints development tokens through the server (enabled in Development and Testing only).</summary>
internal static class DevTokens
{
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <exception cref="CliFailure">The server is unreachable or refused.</exception>
    public static async Task<string> MintAsync(Uri server, DevTokenRequest request, CancellationToken cancellationToken)
    {
        using var http = ServerOption.CreateHttpClient(server);
        return await MintAsync(http, request, cancellationToken);
    }

    /// <summary>Mints with a shared client (the load test mints thousands).</summary>
    /// <exception cref="CliFailure">The server is unreachable or refused.</exception>
    public static async Task<string> MintAsync(HttpClient http, DevTokenRequest request, CancellationToken cancellationToken)
    {
        using var response = await Http.SendAsync(() => http.PostAsJsonAsync("/api/auth/dev-token", request, Json, cancellationToken), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound) throw new CliFailure(Texts.DevTokensDisabled);
        if (!response.IsSuccessStatusCode) throw new CliFailure($"{Texts.TokenRefused}: {(int)response.StatusCode} {Http.Detail(body)}");
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("token").GetString()!;
    }
}

/// <summary>Turns transport failures of HTTP calls into <see cref="CliFailure"/>.</summary>
internal static class Http
{
    public static async Task<HttpResponseMessage> SendAsync(Func<Task<HttpResponseMessage>> send, CancellationToken cancellationToken)
    {
        try
        {
            return await send();
        }
        catch (HttpRequestException ex)
        {
            throw new CliFailure($"{Texts.ServerUnreachable}: {ex.Message}");
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new CliFailure($"{Texts.RequestTimedOut}: {ex.Message}");
        }
    }

    /// <summary>The <c>detail</c> of a problem document, or the body itself.</summary>
    public static string Detail(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                return detail.GetString()!;
        }
        catch (JsonException)
        {
        }
        return body.Length > 200 ? body[..200] : body;
    }
}
