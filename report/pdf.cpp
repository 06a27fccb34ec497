#include "report/pdf.h"

#include <QDir>
#include <QFile>
#include <QPageLayout>
#include <QPageSize>
#include <QPdfWriter>
#include <QTextDocument>
#include <QUrl>
#include <filesystem>

#include "core/output_file.h"
#include "report/qt_support.h"

namespace gridtwin::report {

core::Result<void> htmlToPdf(const std::string& html, const std::string& baseDir,
                             const std::string& pdfPath) {
  auto family = detail::cjkFontFamily();
  if (!family) return family.takeError();
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
    QFont font(*family);
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

}  // namespace gridtwin::report
