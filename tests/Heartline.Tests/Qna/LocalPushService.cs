using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;

namespace Heartline.Tests.Qna;

/// <summary>A message as the local push service received and decrypted it, with the VAPID claims it was signed with.</summary>
internal sealed record ReceivedPush(string Subscriber, JsonElement Payload, string Urgency, int Ttl, string Audience, string Subject);

/// <summary>
/// A push service on loopback (RFC 8030's receiving side): each subscriber is a browser with its own P-256 key and auth
/// secret; a message posted to its endpoint is checked (VAPID JWT signed with the server's key, for this origin) and
/// decrypted (RFC 8291 aes128gcm) with the subscriber's keys, as a browser would. <see cref="Gone"/> answers 410.
/// </summary>
internal sealed class LocalPushService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Dictionary<string, (ECDiffieHellman Key, byte[] Auth)> _subscribers = [];
    private readonly Channel<ReceivedPush> _received = Channel.CreateUnbounded<ReceivedPush>();

    private LocalPushService(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public HashSet<string> Gone { get; } = [];

    public static async Task<LocalPushService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration["urls"] = "http://127.0.0.1:0";
        var app = builder.Build();
        var service = new LocalPushService(app);
        app.MapPost("/push/{id}", service.ReceiveAsync);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        service.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return service;
    }

    /// <summary>A new browser subscription: its endpoint and keys, as <c>PushSubscription.toJSON()</c> gives them.</summary>
    public (string Endpoint, string P256dh, string Auth) Subscribe(string id)
    {
        var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var auth = RandomNumberGenerator.GetBytes(16);
        lock (_subscribers) _subscribers[id] = (key, auth);
        return (new Uri(BaseAddress, "/push/" + id).ToString(), WebEncoders.Base64UrlEncode(PublicBytes(key)), WebEncoders.Base64UrlEncode(auth));
    }

    public async Task<ReceivedPush> NextAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return await _received.Reader.ReadAsync(cts.Token);
    }

    public bool TryTake(out ReceivedPush push) => _received.Reader.TryRead(out push!);

    private async Task<IResult> ReceiveAsync(HttpContext http, string id)
    {
        if (Gone.Contains(id)) return Results.StatusCode(StatusCodes.Status410Gone);
        (ECDiffieHellman Key, byte[] Auth) subscriber;
        lock (_subscribers) if (!_subscribers.TryGetValue(id, out subscriber)) return Results.NotFound();
        if (http.Request.Headers.ContentEncoding != "aes128gcm") return Results.BadRequest("aes128gcm expected");
        var (audience, subject) = VerifyVapid(http.Request.Headers.Authorization.ToString(), http.Request);
        using var body = new MemoryStream();
        await http.Request.Body.CopyToAsync(body);
        var plaintext = Decrypt(body.ToArray(), subscriber.Key, subscriber.Auth);
        var push = new ReceivedPush(id, JsonDocument.Parse(plaintext).RootElement.Clone(), http.Request.Headers["Urgency"].ToString(),
            int.Parse(http.Request.Headers["TTL"].ToString(), System.Globalization.CultureInfo.InvariantCulture), audience, subject);
        await _received.Writer.WriteAsync(push);
        return Results.StatusCode(StatusCodes.Status201Created);
    }

    /// <summary>RFC 8292: <c>vapid t=JWT, k=key</c>; the JWT is ES256 under k, for this origin, not expired.</summary>
    private static (string Audience, string Subject) VerifyVapid(string header, HttpRequest request)
    {
        var parts = header["vapid ".Length..].Split(',', StringSplitOptions.TrimEntries).ToDictionary(p => p[..p.IndexOf('=')], p => p[(p.IndexOf('=') + 1)..]);
        var jwt = parts["t"].Split('.');
        var key = WebEncoders.Base64UrlDecode(parts["k"]);
        using var ecdsa = ECDsa.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = key[1..33], Y = key[33..65] } });
        if (!ecdsa.VerifyData(Encoding.ASCII.GetBytes(jwt[0] + "." + jwt[1]), WebEncoders.Base64UrlDecode(jwt[2]), HashAlgorithmName.SHA256))
            throw new InvalidOperationException("VAPID signature does not verify");
        var claims = JsonDocument.Parse(WebEncoders.Base64UrlDecode(jwt[1])).RootElement;
        var audience = claims.GetProperty("aud").GetString()!;
        // The origin of the push resource; the library leaves a non-default port out (real push services are on 443).
        if (audience != $"{request.Scheme}://{request.Host.Host}") throw new InvalidOperationException("VAPID audience is not this origin: " + audience);
        if (DateTimeOffset.FromUnixTimeSeconds(claims.GetProperty("exp").GetInt64()) < DateTimeOffset.UtcNow) throw new InvalidOperationException("VAPID expired");
        return (audience, claims.GetProperty("sub").GetString()!);
    }

    /// <summary>RFC 8291 with RFC 8188's aes128gcm: one record, keys from the ECDH secret, the auth secret and the salt.</summary>
    internal static byte[] Decrypt(byte[] message, ECDiffieHellman receiver, byte[] authSecret)
    {
        var salt = message[..16];
        var recordSize = BinaryPrimitives.ReadUInt32BigEndian(message.AsSpan(16, 4));
        var idLength = message[20];
        var senderPublic = message[21..(21 + idLength)];
        var ciphertext = message[(21 + idLength)..];
        if (ciphertext.Length > recordSize) throw new InvalidOperationException("more than one record");

        using var sender = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256, Q = new ECPoint { X = senderPublic[1..33], Y = senderPublic[33..65] },
        });
        var ecdhSecret = receiver.DeriveRawSecretAgreement(sender.PublicKey);
        byte[] keyInfo = [.. "WebPush: info\0"u8, .. PublicBytes(receiver), .. senderPublic];
        var ikm = HKDF.DeriveKey(HashAlgorithmName.SHA256, ecdhSecret, 32, authSecret, keyInfo);
        var cek = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 16, salt, "Content-Encoding: aes128gcm\0"u8.ToArray());
        var nonce = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 12, salt, "Content-Encoding: nonce\0"u8.ToArray());
        var plaintext = new byte[ciphertext.Length - 16];
        using var aes = new AesGcm(cek, 16);
        aes.Decrypt(nonce, ciphertext[..^16], ciphertext[^16..], plaintext);
        // The last record ends with the delimiter 0x02, then zero padding.
        var end = Array.LastIndexOf(plaintext, (byte)0x02);
        if (end < 0 || plaintext.AsSpan(end + 1).ContainsAnyExcept((byte)0)) throw new InvalidOperationException("bad padding");
        return plaintext[..end];
    }

    private static byte[] PublicBytes(ECDiffieHellman key)
    {
        var q = key.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        lock (_subscribers) foreach (var (key, _) in _subscribers.Values) key.Dispose();
    }
}
