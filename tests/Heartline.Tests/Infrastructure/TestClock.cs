namespace Heartline.Tests.Infrastructure;

/// <summary>Where the tests' manual clocks start unless a test says otherwise.</summary>
internal static class TestClock
{
    /// <summary>2026-01-01T00:00Z: a fixed instant, so day boundaries (Asia/Seoul statistics) fall where tests expect them.</summary>
    public static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
}
