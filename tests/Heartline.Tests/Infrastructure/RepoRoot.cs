namespace Heartline.Tests.Infrastructure;

/// <summary>The repository root: the nearest folder above the test binaries that holds Heartline.slnx.</summary>
internal static class RepoRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Heartline.slnx"))) return dir.FullName;
        }
        throw new InvalidOperationException("Heartline.slnx not found above " + AppContext.BaseDirectory);
    }
}
