#include "print/pdf.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QGuiApplication>
#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QTextDocument>
#include <QUrl>
#include <cstdlib>
#include <filesystem>
#include <memory>

#include "core/output_file.h"

namespace gridtwin::print {

namespace {

// The process's Qt application, started once on first use when the host
// program has none.
void ensureApplication() {
  if (QCoreApplication::instance() != nullptr) return;
  if (std::getenv("QT_QPA_PLATFORM") == nullptr) qputenv("QT_QPA_PLATFORM", "offscreen");
  if (std::getenv("XDG_RUNTIME_DIR") == nullptr) {
    // Qt wants a private runtime folder; make the one it would pick, quietly.
    const QString dir = QDir::tempPath() + QStringLiteral("/gridtwin-runtime-") +
                        QString::number(QCoreApplication::applicationPid());
    QDir().mkpath(dir);
    QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    qputenv("XDG_RUNTIME_DIR", dir.toLocal8Bit());
  }
  static int argc = 1;
  static char name[] = "gridtwin";
  static char* argv[] = {name, nullptr};
  static std::unique_ptr<QGuiApplication> app = std::make_unique<QGuiApplication>(argc, argv);
}

}  // namespace

core::Result<void> htmlToPdf(const std::string& html, const std::string& baseDir,
                             const std::string& pdfPath) {
  ensureApplication();
  // The same all-or-nothing output as every writer (core/output_file.h).
  auto output = core::OutputFile::begin(pdfPath, ".pdf");
  if (!output) return output.takeError();
  const QString tmp = QString::fromStdString(output->temporaryPath());
  {
    QPdfWriter writer(tmp);
    writer.setPageSize(QPageSize(QPageSize::A4));
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout::Millimeter);
    writer.setResolution(150);
    writer.setTitle(QStringLiteral("gridtwin grid report"));
    writer.setCreator(QStringLiteral("gridtwin"));
    QTextDocument doc;
    doc.setMetaInformation(
        QTextDocument::DocumentUrl,
        QUrl::fromLocalFile(QDir(QString::fromStdString(baseDir)).absolutePath() +
                            QStringLiteral("/"))
            .toString());
    QFont font(QStringLiteral("WenQuanYi Micro Hei"));
    font.setPointSizeF(9);
    doc.setDefaultFont(font);
    doc.setHtml(QString::fromStdString(html));
    doc.setPageSize(writer.pageLayout().paintRectPixels(writer.resolution()).size());
    doc.print(&writer);
  }
  // QPdfWriter reports nothing: a missing or empty file is the failure.
  const std::string tmpPath = tmp.toStdString();
  std::error_code ec;
  const auto size = std::filesystem::file_size(tmpPath, ec);
  if (ec || size == 0) {
    return core::makeError(core::ErrorCode::kWriteFailed, "cannot write the PDF", pdfPath);
  }
  // Replaces a previous PDF in one step: it stays whole until this succeeds.
  return output->commit();
}

}  // namespace gridtwin::print
