using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Heartline.Core.Auth;

/// <summary>Reads a small JSON request body with the API's JSON settings, or the problem to answer (too large, not JSON).</summary>
public static class JsonBody
{
    /// <summary>The largest body read: 16 KiB.</summary>
    public const int MaxBytes = 16 * 1024;

    public static async Task<(T? Value, ProblemHttpResult? Problem)> ReadAsync<T>(HttpContext context) where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Request.ContentLength > MaxBytes)
            return (null, HttpProblems.Create(StatusCodes.Status413PayloadTooLarge, Protocol.ErrorCodes.LimitExceeded, $"the body is larger than {MaxBytes} bytes"));
        try
        {
            var options = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            using var limited = new MemoryStream();
            var buffer = new byte[4096];
            int read;
            while ((read = await context.Request.Body.ReadAsync(buffer, context.RequestAborted).ConfigureAwait(false)) > 0)
            {
                if (limited.Length + read > MaxBytes)
                    return (null, HttpProblems.Create(StatusCodes.Status413PayloadTooLarge, Protocol.ErrorCodes.LimitExceeded, $"the body is larger than {MaxBytes} bytes"));
                limited.Write(buffer.AsSpan(0, read));
            }
            var value = limited.Length == 0 ? null : JsonSerializer.Deserialize<T>(limited.GetBuffer().AsSpan(0, (int)limited.Length), options);
            return value is null ? (null, HttpProblems.BadRequest("the body must be a JSON object")) : (value, null);
        }
        catch (JsonException ex)
        {
            return (null, HttpProblems.BadRequest("the body is not valid JSON for this request: " + ex.Message));
        }
    }
}
