using Heartline.Core.Protocol;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Heartline.Core.Auth;

/// <summary>
/// HTTP errors: problem documents (RFC 9457) that carry the same stable codes as the WebSocket protocol, as
/// <c>code</c>, with an English <c>detail</c> for developers; clients show their own text for the code.
/// </summary>
public static class HttpProblems
{
    public static ProblemHttpResult BadRequest(string detail) => Create(StatusCodes.Status400BadRequest, ErrorCodes.BadRequest, detail);

    public static ProblemHttpResult Forbidden(string detail) => Create(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, detail);

    public static ProblemHttpResult NotFound(string detail) => Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, detail);

    public static ProblemHttpResult Create(int status, ErrorCode code, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: code.Name,
            extensions: new Dictionary<string, object?> { ["code"] = code.Name });

    /// <summary>
    /// <c>429</c> for a rate-limited request (any endpoint's limiter, and <c>/ws</c>'s connection rate): the problem
    /// document with <c>rate_limited</c>, and <c>Retry-After</c> in whole seconds when the limiter knows it.
    /// </summary>
    public static Task TooManyRequestsAsync(HttpContext http, TimeSpan? retryAfter)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (retryAfter is { } after)
            http.Response.Headers.RetryAfter = ((int)Math.Ceiling(after.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Create(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimited,
            "too many requests from this address; retry after Retry-After seconds").ExecuteAsync(http);
    }

    /// <summary>The code of a status that no endpoint named (an unhandled exception, an unknown path).</summary>
    public static ErrorCode CodeFor(int status) => status switch
    {
        StatusCodes.Status401Unauthorized => ErrorCodes.Unauthorized,
        StatusCodes.Status403Forbidden => ErrorCodes.Forbidden,
        StatusCodes.Status404NotFound => ErrorCodes.NotFound,
        StatusCodes.Status409Conflict => ErrorCodes.Conflict,
        StatusCodes.Status413PayloadTooLarge => ErrorCodes.LimitExceeded,
        StatusCodes.Status429TooManyRequests => ErrorCodes.RateLimited,
        StatusCodes.Status503ServiceUnavailable => ErrorCodes.Unavailable,
        >= 400 and < 500 => ErrorCodes.BadRequest,
        _ => ErrorCodes.Internal,
    };
}
