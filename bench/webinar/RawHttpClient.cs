using System.Buffers;
using System.Net.Sockets;
using System.Text;

/// <summary>
/// A minimal HTTP/1.1 keep-alive client for load generation: pre-encoded requests, one request in flight per
/// connection, responses read by Content-Length. HttpClient costs more CPU per request than the endpoint under test,
/// and on a 2-core machine the load generator shares the cores with the server.
/// </summary>
internal sealed class RawHttpConnection : IDisposable
{
    private readonly Socket _socket;
    private readonly byte[] _buffer = new byte[16 * 1024];

    private RawHttpConnection(Socket socket) => _socket = socket;

    public static async Task<RawHttpConnection> OpenAsync(Uri server)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(server.Host, server.Port);
        return new RawHttpConnection(socket);
    }

    public static byte[] Post(Uri server, string path, byte[] json) =>
        [.. Encoding.ASCII.GetBytes(
            $"POST {path} HTTP/1.1\r\nHost: {server.Authority}\r\nContent-Type: application/json\r\nContent-Length: {json.Length}\r\n\r\n"), .. json];

    /// <summary>Sends one request and returns the response status code (bodies by Content-Length or chunked).</summary>
    public async Task<int> SendAsync(byte[] request)
    {
        await _socket.SendAsync(request, SocketFlags.None);
        int filled = 0, headerEnd = -1, contentLength = 0, status = 0;
        var chunked = false;
        while (true)
        {
            var read = await _socket.ReceiveAsync(_buffer.AsMemory(filled), SocketFlags.None);
            if (read == 0) throw new IOException("connection closed");
            filled += read;
            if (headerEnd < 0)
            {
                headerEnd = _buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8);
                if (headerEnd < 0) continue;
                var head = Encoding.ASCII.GetString(_buffer, 0, headerEnd);
                status = int.Parse(head.AsSpan(9, 3));
                var at = head.IndexOf("Content-Length:", StringComparison.OrdinalIgnoreCase);
                if (at >= 0)
                {
                    var end = head.IndexOf('\r', at);
                    contentLength = int.Parse(head.AsSpan(at + 15, (end < 0 ? head.Length : end) - at - 15).Trim());
                }
                chunked = head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase);
                headerEnd += 4;
            }
            if (chunked ? _buffer.AsSpan(headerEnd, filled - headerEnd).EndsWith("0\r\n\r\n"u8) : filled >= headerEnd + contentLength)
                return status;
        }
    }

    public void Dispose() => _socket.Dispose();
}
