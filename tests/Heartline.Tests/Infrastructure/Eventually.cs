namespace Heartline.Tests.Infrastructure;

/// <summary>
/// Waits, bounded, for server-side state that has no event to await (for example a registry entry removed after
/// a teardown finishes).
/// </summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, string because, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("timed out waiting: " + because);
            await Task.Delay(20);
        }
    }

    /// <summary>The same for a condition read asynchronously (a store, a presence query).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string because, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!await condition().WaitAsync(timeout ?? TimeSpan.FromSeconds(10)))
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException("timed out waiting: " + because);
            await Task.Delay(20);
        }
    }
}
