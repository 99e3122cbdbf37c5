using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Heartline.Cli.Commands;

/// <summary>The body of <c>POST /api/auth/dev-token</c>.</summary>
internal sealed record DevTokenRequest(
    [property: JsonPropertyName("user_id")] string UserId,
    [property: JsonPropertyName("name")] string? Name,
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("region_id")] string RegionId,
    [property: JsonPropertyName("office_id")] string OfficeId,
    [property: JsonPropertyName("ttl_seconds")] int? TtlSeconds);

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
