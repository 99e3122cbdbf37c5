using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.RegularExpressions;
using Heartline.Core.Auth;
using Heartline.Core.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Heartline.Webinar;

/// <summary>Reading and checking webinar requests: bodies of any content type, identities, limits.</summary>
internal static partial class WebinarRequests
{
    /// <summary>Largest request body. sendBeacon allows 64 KB; our bodies are a few hundred bytes.</summary>
    public const int MaxBodyBytes = 16 * 1024;

    public const int MaxUserAgentLength = 512;
    public const int MaxReferrerLength = 2048;
    public const int MaxTitleLength = 200;
    public const string ViewerTokenHeader = "X-Viewer-Token";

    /// <summary>
    /// Reads a JSON body whatever its content type (sendBeacon sends text/plain). An empty body is <paramref name="empty"/>.
    /// </summary>
    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadJsonAsync<T>(HttpContext context, T empty)
        where T : class
    {
        if (context.Request.ContentLength > MaxBodyBytes)
            return (null, TooLarge());
        var reader = context.Request.BodyReader;
        ReadResult read;
        while (true)
        {
            read = await reader.ReadAsync(context.RequestAborted).ConfigureAwait(false);
            if (read.Buffer.Length > MaxBodyBytes)
            {
                reader.AdvanceTo(read.Buffer.Start);
                return (null, TooLarge());
            }
            if (read.IsCompleted) break;
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
        var buffer = read.Buffer;
        try
        {
            if (IsBlank(buffer)) return (empty, null);
            var json = new Utf8JsonReader(buffer);
            var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            var value = JsonSerializer.Deserialize<T>(ref json, options);
            return value is null ? (null, HttpProblems.BadRequest("the body must be a JSON object")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, HttpProblems.BadRequest("the body is not valid JSON for this request: " + ex.Message));
        }
        finally
        {
            reader.AdvanceTo(buffer.End);
        }
    }

    /// <summary>
    /// Who is asking: the user of a valid bearer token, else the guest of a valid viewer token (body or
    /// <c>X-Viewer-Token</c> header). A bearer token that does not validate is refused rather than treated as a guest.
    /// </summary>
    public static (Viewer? Viewer, ProblemHttpResult? Problem) ResolveViewer(HttpContext context, string? bodyToken,
        GuestTokens guests)
    {
        if (!string.IsNullOrEmpty(context.Request.Headers.Authorization))
        {
            return context.FindPrincipal() is { } principal
                ? (Viewer.User(principal.SubjectId), null)
                : (null, Unauthorized("the bearer token is not valid"));
        }
        var token = bodyToken ?? context.Request.Headers[ViewerTokenHeader].ToString();
        if (string.IsNullOrEmpty(token)) return (null, null);
        return guests.Validate(token) is { } guestId
            ? (Viewer.Guest(guestId), null)
            : (null, Unauthorized("viewer_token is not valid; drop it and track again without one"));
    }

    /// <summary>Session keys: 8–128 of A–Z a–z 0–9 . _ : - (the seed's <c>session_{ms}_{random}</c> fits).</summary>
    public static ProblemHttpResult? CheckSessionKey(string? key) =>
        key is not null && SessionKeyPattern().IsMatch(key)
            ? null
            : HttpProblems.BadRequest("session_key: 8-128 of A-Z a-z 0-9 . _ : -");

    /// <summary>Webinar ids are UUIDs made by the server; anything else names no webinar.</summary>
    public static bool IsWebinarId(string id) => id.Length == 36 && Guid.TryParse(id, out _);

    public static ClientDetails Client(HttpContext context, string? referrer) => new(
        Truncate(context.Request.Headers.UserAgent.ToString(), MaxUserAgentLength),
        Truncate(referrer ?? context.Request.Headers.Referer.ToString(), MaxReferrerLength),
        context.Connection.RemoteIpAddress?.ToString());

    public static string? Truncate(string? value, int max) =>
        string.IsNullOrEmpty(value) ? null : value.Length <= max ? value : value[..max];

    public static ProblemHttpResult Unauthorized(string detail) =>
        HttpProblems.Create(StatusCodes.Status401Unauthorized, ErrorCodes.Unauthorized, detail);

    public static ProblemHttpResult WebinarNotFound() => HttpProblems.NotFound("no webinar has this id");

    private static ProblemHttpResult TooLarge() =>
        HttpProblems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.LimitExceeded,
            $"the body is larger than {MaxBodyBytes} bytes");

    private static bool IsBlank(ReadOnlySequence<byte> buffer)
    {
        foreach (var segment in buffer)
        {
            foreach (var b in segment.Span)
            {
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')) return false;
            }
        }
        return true;
    }

    [GeneratedRegex("^[A-Za-z0-9._:-]{8,128}$")]
    private static partial Regex SessionKeyPattern();
}
